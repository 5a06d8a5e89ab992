"""The directory: records and their search index tables.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def _key() -> list[sa.Column]:
    return [
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("id", sa.String(200), primary_key=True),
    ]


def upgrade() -> None:
    op.create_table(
        "records",
        *_key(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("region", sa.String(64)),
        sa.Column("sort_key", sa.String(40)),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("ix_records_kind_sort", "records", ["kind", "sort_key", "name"])
    op.create_index("ix_records_kind_region", "records", ["kind", "region"])
    index_tables = (
        ("record_municipalities", "municipality", 80),
        ("record_topics", "topic", 32),
        ("record_terms", "term", 80),
    )
    for table, column, size in index_tables:
        op.create_table(table, *_key(), sa.Column(column, sa.String(size), primary_key=True))
        op.create_index(f"ix_{table}", table, [column, "kind"])


def downgrade() -> None:
    for table in ("record_terms", "record_topics", "record_municipalities", "records"):
        op.drop_table(table)
