"""Helpers every handoff module uses: the stored time stamp and a row as a dict."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import clock


def stamp(moment: dt.datetime | None = None) -> str:
    return clock.utc_key(moment)


def row_dict(row: Any) -> dict[str, Any]:
    return dict(row._mapping)
