"""The sealed search index: each case's words, sealed to the case key.

Every write that adds text to a case (the request's answers, a message from
the person, a reply, a note, a task) appends a delta: the normalised words of
that one entry, under a reference to it ("i" the answers, "m<seq>" a timeline
entry, "t<id>" a task), sealed with the case's public key. So a requester's
message, written with no staff key, is indexed like a reply.

A search (tropa/cases/search.py) opens a case's rows with the case key. The
first search of a case without a full row builds one from the case itself
(decrypting everything once); later searches fold deltas into it. A seized
database holds only sealed rows (docs/security.md): the words, like the text
they come from, need the case key.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import transaction

from tropa import vault
from tropa.cases.models import Case, Kind, SearchIndex, Task

# A word is kept to this many characters: enough to match, and bounded.
WORD_MAX = 40
# Fold a case's deltas into its full row once there are this many.
FOLD_AFTER = 20
WORD = re.compile(r"\w+", re.UNICODE)

Terms = dict[str, list[str]]  # reference -> words


def words(text: str) -> list[str]:
    """Lower case, ё as е, words of two letters or more, each once, in order."""
    text = text.lower().replace("ё", "е")
    found = (w[:WORD_MAX] for w in WORD.findall(text) if len(w) >= 2)
    return list(dict.fromkeys(found))


def answer_text(answers: Any) -> str:
    """Every string in a request's answers, one per line."""
    if isinstance(answers, str):
        return answers
    if isinstance(answers, dict):
        return "\n".join(answer_text(v) for v in answers.values())
    if isinstance(answers, list):
        return "\n".join(answer_text(v) for v in answers)
    return ""


def seal_terms(terms: Terms, case_public_key: bytes) -> bytes:
    return vault.seal_to_many(json.dumps({"v": 1, "e": terms}).encode(), [case_public_key])


def open_terms(row: SearchIndex, keys: vault.KeyPair) -> Terms:
    """A row's terms; an unreadable row counts as none."""
    try:
        data = json.loads(vault.open_from_many(keys, bytes(row.sealed_terms)))
        entries = data["e"]
    except (vault.CannotOpen, ValueError, KeyError, TypeError):
        return {}
    return entries if isinstance(entries, dict) else {}


def first(answers: Any, case_public_key: bytes) -> bytes:
    """A new request's full row: its answers are all the case has yet."""
    return seal_terms({"i": words(answer_text(answers))}, case_public_key)


def delta(case: Case, case_public_key: bytes, ref: str, text: str) -> SearchIndex | None:
    """Index one new entry of a case (in the caller's transaction)."""
    found = words(text)
    if not found:
        return None
    return SearchIndex.objects.create(
        case=case, sealed_terms=seal_terms({ref: found}, case_public_key)
    )


def forget(case: Case) -> None:
    """A shredded, deleted or merged case keeps no index."""
    SearchIndex.objects.filter(case=case).delete()


def rebuild(case: Case, keys: vault.KeyPair) -> Terms:
    """Every entry of the case, decrypted once, as one full row; the deltas it
    covers go. A delta written meanwhile (a newer id) stays for the next fold."""
    with transaction.atomic():
        covered = SearchIndex.objects.filter(case=case).order_by("-id").values_list("id", flat=True)
        last = covered.first() or 0
        terms: Terms = {}
        if case.sealed_intake:
            try:
                intake = json.loads(vault.open_from_many(keys, bytes(case.sealed_intake)))
                terms["i"] = words(answer_text(intake.get("answers", {})))
            except (vault.CannotOpen, ValueError, AttributeError):
                pass
        for message in case.messages.only("seq", "kind", "sealed_body"):
            try:
                body = vault.open_from_many(keys, bytes(message.sealed_body)).decode()
            except (vault.CannotOpen, UnicodeDecodeError):
                continue
            if message.kind == Kind.EVENT:
                body = _merged_answers(body)
            terms[f"m{message.seq}"] = words(body)
        for task in Task.objects.filter(case=case).only("id", "sealed_title"):
            try:
                title = vault.open_from_many(keys, bytes(task.sealed_title)).decode()
            except (vault.CannotOpen, UnicodeDecodeError):
                continue
            terms[f"t{task.pk}"] = words(title)
        terms = {ref: found for ref, found in terms.items() if found}
        SearchIndex.objects.filter(case=case, id__lte=last).delete()
        SearchIndex.objects.create(
            case=case, full=True, sealed_terms=seal_terms(terms, keys.public_key)
        )
    return terms


def fold(case: Case, keys: vault.KeyPair, rows: list[SearchIndex]) -> Terms:
    """A case's terms from its rows, folding many deltas into the full row."""
    terms: Terms = {}
    for row in sorted(rows, key=lambda r: (not r.full, r.id)):
        terms.update(open_terms(row, keys))
    deltas = [row for row in rows if not row.full]
    if len(deltas) >= FOLD_AFTER:
        with transaction.atomic():
            SearchIndex.objects.filter(id__in=[row.id for row in rows]).delete()
            SearchIndex.objects.create(
                case=case, full=True, sealed_terms=seal_terms(terms, keys.public_key)
            )
    return terms


def _merged_answers(body: str) -> str:
    """A merge event's answers are words of the case; other events are not indexed."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(data, dict) or data.get("kind") != "merged":
        return ""
    intake = data.get("intake")
    return answer_text(intake.get("answers", {})) if isinstance(intake, dict) else ""
