"""Postal codes: five digits name a municipality ("70100" → Kuopio), for a caller who keys in
a postal code on the phone line, or writes one. The table is Posti's, with its source and
licence in the file's header (finnish/data/postal_codes.csv)."""

from __future__ import annotations

import functools
import re

from finnish.datafiles import DATA_DIR

_CODE = re.compile(r"\d{5}")


@functools.cache
def postal_codes() -> dict[str, str]:
    """Every postal code in use and its municipality."""
    out = {}
    with open(DATA_DIR / "postal_codes.csv", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or line.startswith("postal_code;"):
                continue
            code, municipality = line.rstrip("\n").split(";")
            out[code] = municipality
    return out


def municipality_of_postal_code(code: str) -> str | None:
    """The municipality of a postal code ("70100" → "Kuopio"); None for anything that is not
    exactly five digits of a code in use."""
    code = (code or "").strip()
    return postal_codes().get(code) if _CODE.fullmatch(code) else None
