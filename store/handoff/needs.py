"""Unmet needs: what people needed and did not get, by place, topic and kind, never the
words."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from core import clock
from store.handoff import schema
from store.handoff.rows import row_dict as _row
from store.handoff.rows import stamp

logger = logging.getLogger(__name__)


class Needs:
    """Counts of unmet needs for the staff page
    Mixed into `Handoffs`, which holds the engine."""

    engine: sa.engine.Engine

    @staticmethod
    def _note_need(
        conn: sa.engine.Connection, municipality: str | None, topic: str | None, kind: str
    ) -> None:
        now = clock.now()
        year, week, _ = now.isocalendar()
        conn.execute(
            sa.insert(schema.needs),
            [
                {
                    "week": f"{year}-W{week:02d}",
                    "municipality": municipality,
                    "topic": topic,
                    "kind": kind,
                    "created_at": stamp(now),
                }
            ],
        )

    def note_need(self, municipality: str | None, topic: str | None, kind: str) -> None:
        """What someone needed and Apuri could not answer: place, topic and kind, no words."""
        with self.engine.begin() as conn:
            self._note_need(conn, municipality, topic, kind)

    def needs(self) -> list[dict[str, Any]]:
        """Counts per week, municipality, topic and kind, newest week first."""
        n = schema.needs
        query = (
            sa.select(
                n.c.week, n.c.municipality, n.c.topic, n.c.kind, sa.func.count().label("count")
            )
            .group_by(n.c.week, n.c.municipality, n.c.topic, n.c.kind)
            .order_by(n.c.week.desc(), sa.func.count().desc())
        )
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]
