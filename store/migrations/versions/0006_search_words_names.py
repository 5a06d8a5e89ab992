"""The search words again: a name with its ending after a colon ("STEA:n") is found by the
name alone ("stea"). Only the words change, not the tables.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    from store.directory.store import reindex_text

    reindex_text(op.get_bind())


def downgrade() -> None:
    """The old words would come back only with the old code; nothing to undo in the tables."""
