"""One search over everything: the lemmatised words of every record in the database's own
full-text index (SQLite FTS5; PostgreSQL tsvector with a GIN index), so a question is ranked in
one query instead of one join per word.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_table(
            "record_text",
            sa.Column("kind", sa.String(32), primary_key=True),
            sa.Column("id", sa.String(200), primary_key=True),
            sa.Column("words", sa.Text, nullable=False),  # name, description and topic words
        )
        op.execute("ALTER TABLE record_text ADD COLUMN tsv tsvector")
        op.execute("CREATE INDEX ix_record_text_tsv ON record_text USING gin (tsv)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE record_fts USING fts5(name_words, text_words, "
            "topic_words, kind UNINDEXED, id UNINDEXED, "
            "tokenize = 'unicode61 remove_diacritics 0')"
        )
    # the records already there get their words at the next import (`apuri run` seeds only an
    # empty directory): fill them now from their JSON
    from store.directory.store import reindex_text

    reindex_text(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("record_text")
    else:
        op.execute("DROP TABLE record_fts")
