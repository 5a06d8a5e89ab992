"""Find a human: handoff and callback requests, their delivery outbox, the phone-number vault,
live handoff sessions, staff logins and the anonymous log of unmet needs.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

WHEN = sa.String(32)  # ISO 8601 in UTC: text sorts in time order on SQLite and PostgreSQL


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),  # callback | chat
        sa.Column("status", sa.String(16), nullable=False),  # open | taken | done
        sa.Column("person_id", sa.String(200)),
        sa.Column("person_name", sa.String(200)),
        sa.Column("municipality", sa.String(80)),
        sa.Column("topic", sa.String(32)),
        sa.Column("phone", sa.String(32)),  # personal data: emptied by purge
        sa.Column("preferred_time", WHEN),
        sa.Column("preferred_text", sa.String(120)),
        sa.Column("subject", sa.Text),  # personal data: emptied by purge
        sa.Column("conversation", sa.String(100)),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("taken_at", WHEN),
        sa.Column("taken_by", sa.String(200)),  # a staff login, or "telegram:<chat id>"
        sa.Column("done_at", WHEN),
        sa.Column("delivered_at", WHEN),
        sa.Column("purged_at", WHEN),
    )
    op.create_index("ix_handoffs_status", "handoffs", ["status", "created_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("handoff_id", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),  # telegram | email
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", WHEN, nullable=False),
        sa.Column("claimed_until", WHEN),
        sa.Column("sent_at", WHEN),
        sa.Column("last_error", sa.String(200)),
        sa.UniqueConstraint("handoff_id", "channel", name="uq_outbox_handoff_channel"),
    )
    op.create_index("ix_outbox_due", "outbox", ["sent_at", "next_attempt_at"])
    op.create_table(
        "vault",
        sa.Column("conversation", sa.String(100), primary_key=True),
        sa.Column("tag", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(32), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "live_sessions",
        sa.Column("conversation", sa.String(100), primary_key=True),
        sa.Column("handoff_id", sa.String(32), nullable=False),
        sa.Column("person_chat_id", sa.String(64), nullable=False),
        sa.Column("person_name", sa.String(200)),
        sa.Column("status", sa.String(16), nullable=False),  # waiting | active | ended
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_activity_at", WHEN, nullable=False),
        sa.Column("ended_at", WHEN),
    )
    op.create_index("ix_live_person", "live_sessions", ["person_chat_id", "status"])
    op.create_table(
        "staff",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", WHEN),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
    )
    op.create_table(
        "needs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("week", sa.String(8), nullable=False),  # 2026-W48
        sa.Column("municipality", sa.String(80)),
        sa.Column("topic", sa.String(32)),
        sa.Column("kind", sa.String(16), nullable=False),  # not_found|fallback|handoff|feedback
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_index("ix_needs_week", "needs", ["week", "municipality", "topic"])


def downgrade() -> None:
    for table in (
        "needs",
        "staff_sessions",
        "staff",
        "live_sessions",
        "vault",
        "outbox",
        "handoffs",
    ):
        op.drop_table(table)
