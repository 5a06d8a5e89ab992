"""Safe under outage and attack: vault values of any length (a callback's subject), a claim
token on each outbox row (only the claimer may mark it sent or failed), and login attempts
counted per name and address before a password is checked.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

WHEN = sa.String(32)


def upgrade() -> None:
    with op.batch_alter_table("vault") as batch:
        batch.alter_column(
            "value", type_=sa.Text, existing_type=sa.String(32), existing_nullable=False
        )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claim_token", sa.String(32)))
    op.create_table(
        "login_attempts",
        sa.Column("key", sa.String(64), primary_key=True),  # sha256 of what is counted
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("until", WHEN, nullable=False),  # the window ends (and a lock with it)
    )


def downgrade() -> None:
    op.drop_table("login_attempts")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claim_token")
    with op.batch_alter_table("vault") as batch:
        batch.alter_column("value", type_=sa.String(32), existing_type=sa.Text)
