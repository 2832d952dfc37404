"""Staff search: among the cases the signed-in person can open, and nothing else.

Finds by alias, by the short case id (the 8 characters shown everywhere),
and by words in answers, messages, replies, notes and task titles, through the
sealed index (tropa/cases/search_index.py), opened in memory for this request
with the person's own keys. Russian-aware enough for a helpline: case and ё/е
do not matter, and a word's common endings are dropped, so "повестка" finds
"повестку" and "повестки". Every word must match (in any entry of the case);
cases where one entry holds them all rank first.

Nothing of the query is stored or logged: the audit entry says that a search
happened and how many cases it found.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.db.models import Q

from tropa import vault
from tropa.accounts.models import Staff
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import questionnaire, search_index
from tropa.cases.access import visible_cases
from tropa.cases.models import Case, Message, SearchIndex, Status, Task
from tropa.keyring.actions import open_keyrings

QUERY_MAX = 200
RESULTS = 50
SNIPPET = 60  # characters either side of the match
# Endings dropped from a query word of five letters or more (longest first).
ENDINGS = sorted(
    [
        "ами",
        "ями",
        "ого",
        "его",
        "ому",
        "ему",
        "ыми",
        "ими",
        "ах",
        "ях",
        "ов",
        "ев",
        "ей",
        "ой",
        "ий",
        "ый",
        "ая",
        "яя",
        "ое",
        "ее",
        "ые",
        "ие",
        "ую",
        "юю",
        "ом",
        "ем",
        "ым",
        "им",
        "ых",
        "их",
        "ам",
        "ям",
        "ть",
        "ся",
        "а",
        "я",
        "ы",
        "и",
        "у",
        "ю",
        "е",
        "о",
        "ь",
    ],
    key=len,
    reverse=True,
)
SHORT_ID = re.compile(r"[0-9a-f]{4,8}")


def stem(word: str) -> str:
    if len(word) >= 5:
        for ending in ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 4:
                return word[: -len(ending)]
    return word


def query_terms(query: str) -> list[str]:
    return list(dict.fromkeys(stem(w) for w in search_index.words(query[:QUERY_MAX])))


@dataclass
class Hit:
    case: Case
    by_name: bool = False  # the alias or the short id matched
    refs: list[str] = field(default_factory=list)  # entries holding every word, best first
    spread: int = 0  # entries holding any of the words
    snippet: str = ""
    hidden: bool = False  # the words are in an answer shown only on request

    @property
    def rank(self) -> tuple[bool, int, int]:
        return (self.by_name, len(self.refs), self.spread)


def _matches(words: list[str], term: str) -> bool:
    return any(w.startswith(term) for w in words)


def _score(terms: list[str], entries: search_index.Terms) -> tuple[list[str], int] | None:
    """Entries holding every term, and how many hold any; None unless all terms occur."""
    holding = {
        term: {ref for ref, words in entries.items() if _matches(words, term)} for term in terms
    }
    if not all(holding.values()):
        return None
    every = set.intersection(*holding.values())
    spread = len(set().union(*holding.values()))
    return sorted(every, key=_recent_first), spread


def _recent_first(ref: str) -> tuple[int, int]:
    digits = ref[1:]
    return (0 if ref.startswith("m") else 1, -int(digits) if digits.isdigit() else 0)


def _fold_text(text: str) -> str:
    return text.lower().replace("ё", "е")  # the same length: offsets hold


def _cut(text: str, terms: list[str]) -> str:
    folded = _fold_text(text)
    spots = [folded.find(term) for term in terms if folded.find(term) >= 0]
    at = min(spots) if spots else 0
    start, end = max(at - SNIPPET, 0), min(at + SNIPPET, len(text))
    cut = " ".join(text[start:end].split())
    return ("…" if start else "") + cut + ("…" if end < len(text) else "")


def _snippet(hit: Hit, keys: vault.KeyPair, terms: list[str]) -> None:
    """The words in context, from the one entry that holds them, opened now."""
    if not hit.refs:
        return
    ref = hit.refs[0]
    try:
        if ref == "i":
            intake = json.loads(vault.open_from_many(keys, bytes(hit.case.sealed_intake)))
            answers = intake.get("answers", {})
            q = questionnaire.load()
            shown = []
            for key, value in answers.items():
                question = q.question(key)
                if question is None or question.sensitive:
                    continue
                shown.append(search_index.answer_text(value))
            text = "\n".join(shown)
            if not any(_matches(search_index.words(text), t) for t in terms):
                hit.hidden = True
                return
        elif ref.startswith("m"):
            message = Message.objects.get(case=hit.case, seq=int(ref[1:]))
            text = vault.open_from_many(keys, bytes(message.sealed_body)).decode()
            if text.startswith("{"):  # an event: a merge's answers may hold names
                hit.hidden = True
                return
        else:
            task = Task.objects.get(case=hit.case, pk=ref[1:])
            text = vault.open_from_many(keys, bytes(task.sealed_title)).decode()
    except (vault.CannotOpen, ValueError, Message.DoesNotExist, Task.DoesNotExist):
        return
    hit.snippet = _cut(text, terms)


def search(staff: Staff, staff_keys: vault.KeyPair, query: str) -> list[Hit]:
    """The cases `staff` can open that match, best first (at most RESULTS). Audited."""
    query = query.strip()[:QUERY_MAX]
    terms = query_terms(query)
    scope = visible_cases(staff).exclude(status=Status.DISCARDED).select_related("keyring")
    hits: dict[object, Hit] = {}
    if query:
        lowered = query.lower()
        by_name = Q(alias__icontains=query)
        if SHORT_ID.fullmatch(lowered):
            by_name |= Q(id__startswith=lowered)
        for case in scope.filter(by_name)[:RESULTS]:
            hits[case.pk] = Hit(case, by_name=True)
    if terms:
        cases = {case.pk: case for case in scope}
        rows: dict[object, list[SearchIndex]] = {}
        for row in SearchIndex.objects.filter(case_id__in=list(cases)):
            rows.setdefault(row.case_id, []).append(row)
        opened = open_keyrings([c.keyring for c in cases.values()], staff, staff_keys)
        for case_id, case in cases.items():
            keys = opened.get(case.keyring_id)
            if keys is None:
                continue
            mine = rows.get(case_id, [])
            if any(row.full for row in mine):
                entries = search_index.fold(case, keys, mine)
            else:  # an older case, or just merged: built once, from the case itself
                entries = search_index.rebuild(case, keys)
            scored = _score(terms, entries)
            if scored is None:
                continue
            hit = hits.setdefault(case_id, Hit(case))
            hit.refs, hit.spread = scored
        found = sorted(hits.values(), key=lambda h: h.rank, reverse=True)[:RESULTS]
        for hit in found:
            keys = opened.get(hit.case.keyring_id)
            if keys is not None:
                _snippet(hit, keys, terms)
    else:
        found = list(hits.values())
    record(staff, Action.SEARCHED, count=len(found))
    return found
