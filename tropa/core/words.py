"""Words a person types (a codename, a check-in word), in one canonical form.

Shared by intake (codenames) and journeys (the agreed check-in word), so that
both compare what was typed on a phone keyboard the same way.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212,._]+")


def normalise(codename: str) -> str:
    """What a person typed, in canonical form: ``"Кот  ЛЕС-река"`` -> ``"кот лес река"``.

    NFKC, case-folded, ё as е, any run of spaces, hyphens, dashes, commas, dots
    or underscores as one space, ends stripped. Idempotent.
    """
    text = codename
    for _ in range(4):  # NFKC and case folding can each undo the other once
        once = _normalise_once(text)
        if once == text:
            break
        text = once
    return text


def _normalise_once(text: str) -> str:
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    folded = folded.replace("ё", "е")
    return _SEPARATORS.sub(" ", folded).strip(" ")
