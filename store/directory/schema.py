"""The directory's tables (SQLAlchemy Core). Changes go through an Alembic migration.

All five record lists share one shape: a row in `records` with the whole record as JSON, and
index rows for what we search by (municipalities, topics, lemmatized words).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

records = sa.Table(
    "records",
    metadata,
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("region", sa.String(64)),
    sa.Column("sort_key", sa.String(40)),  # event start or grant deadline, ISO 8601
    sa.Column("data", sa.Text, nullable=False),  # the record as imported, JSON
)
sa.Index("ix_records_kind_sort", records.c.kind, records.c.sort_key, records.c.name)
sa.Index("ix_records_kind_region", records.c.kind, records.c.region)


def _index_table(name: str, column: str, size: int) -> sa.Table:
    """(kind, id, value) rows that point at a record, indexed by value for searching."""
    table = sa.Table(
        name,
        metadata,
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column(column, sa.String(size), primary_key=True),
    )
    sa.Index(f"ix_{name}", table.c[column], table.c.kind)
    return table


record_municipalities = _index_table("record_municipalities", "municipality", 80)  # + "region:X"
record_topics = _index_table("record_topics", "topic", 32)
record_terms = _index_table("record_terms", "term", 80)  # lemmas, "role:…", "kind:…"

INDEX_TABLES = (record_municipalities, record_topics, record_terms)
