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

record_municipalities = sa.Table(
    "record_municipalities",
    metadata,
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("municipality", sa.String(80), primary_key=True),  # also "region:<maakunta>"
)
sa.Index(
    "ix_record_municipalities", record_municipalities.c.municipality, record_municipalities.c.kind
)

record_topics = sa.Table(
    "record_topics",
    metadata,
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("topic", sa.String(32), primary_key=True),
)
sa.Index("ix_record_topics", record_topics.c.topic, record_topics.c.kind)

record_terms = sa.Table(
    "record_terms",
    metadata,
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("term", sa.String(80), primary_key=True),
)
sa.Index("ix_record_terms", record_terms.c.term, record_terms.c.kind)

INDEX_TABLES = (record_municipalities, record_topics, record_terms)
