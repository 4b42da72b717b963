"""Finding order numbers in what a customer writes.

Shops number orders their own way (``GD24120100012`` in the demo, ``NO000123`` in tests, plain
digits elsewhere), so this only proposes candidates: runs of letters, digits and hyphens with
at least five digits. The caller keeps the candidates that are orders of the shop.
"""

from __future__ import annotations

import re
import unicodedata

MIN_DIGITS = 5
MAX_CANDIDATES = 5
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,63}")
_DIGIT = re.compile(r"\d")


def order_numbers(text: str) -> list[str]:
    """Candidate order numbers in `text`, in order of appearance, without duplicates; each is
    given as written and upper-cased (half-width), so lookups may try both."""
    folded = unicodedata.normalize("NFKC", text)
    found: list[str] = []
    for match in _TOKEN.finditer(folded):
        token = match.group().strip("-")
        if len(_DIGIT.findall(token)) < MIN_DIGITS:
            continue
        for variant in (token, token.upper()):
            if variant not in found:
                found.append(variant)
        if len(found) >= 2 * MAX_CANDIDATES:
            break
    return found
