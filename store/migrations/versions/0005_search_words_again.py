"""The search words again: a derivation ("toimi" + "nta" in "toiminta") is no longer split
into compound parts, so "ei toimi" stops finding every record whose description says
"toiminta". Only the words change, not the tables.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    from store.directory.store import reindex_text

    reindex_text(op.get_bind())


def downgrade() -> None:
    """The old words would come back only with the old code; nothing to undo in the tables."""
