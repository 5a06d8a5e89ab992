"""The search words again: a word with a noun reading of its own is indexed by it, not as a
comparative ("vanhemmille" is "vanhempi", parents, not "vanha", old). Only the words change.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    from store.directory.store import reindex_text

    reindex_text(op.get_bind())


def downgrade() -> None:
    """The old words would come back only with the old code; nothing to undo in the tables."""
