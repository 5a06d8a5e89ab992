"""The find-a-human tables (SQLAlchemy Core), as migration 0002 creates them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
WHEN = sa.String(32)

handoffs = sa.Table(
    "handoffs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("person_id", sa.String(200)),
    sa.Column("person_name", sa.String(200)),
    sa.Column("municipality", sa.String(80)),
    sa.Column("topic", sa.String(32)),
    sa.Column("phone", sa.String(32)),
    sa.Column("preferred_time", WHEN),
    sa.Column("preferred_text", sa.String(120)),
    sa.Column("subject", sa.Text),
    sa.Column("conversation", sa.String(100)),
    sa.Column("created_at", WHEN, nullable=False),
    sa.Column("taken_at", WHEN),
    sa.Column("taken_by", sa.String(200)),  # a staff login, or "telegram:<chat id>"
    sa.Column("done_at", WHEN),
    sa.Column("delivered_at", WHEN),
    sa.Column("purged_at", WHEN),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("handoff_id", sa.String(32), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("recipient", sa.String(200), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", WHEN, nullable=False),
    sa.Column("claimed_until", WHEN),
    sa.Column("claim_token", sa.String(32)),  # who claimed it: only they mark it sent or failed
    sa.Column("sent_at", WHEN),
    sa.Column("last_error", sa.String(200)),
)

vault = sa.Table(
    "vault",
    metadata,
    sa.Column("conversation", sa.String(100), primary_key=True),
    sa.Column("tag", sa.String(32), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),  # a number, or a private message
    sa.Column("created_at", WHEN, nullable=False),
)

live_sessions = sa.Table(
    "live_sessions",
    metadata,
    sa.Column("conversation", sa.String(100), primary_key=True),
    sa.Column("handoff_id", sa.String(32), nullable=False),
    sa.Column("person_chat_id", sa.String(64), nullable=False),
    sa.Column("person_name", sa.String(200)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", WHEN, nullable=False),
    sa.Column("last_activity_at", WHEN, nullable=False),
    sa.Column("ended_at", WHEN),
)

staff = sa.Table(
    "staff",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(300), nullable=False),
    sa.Column("created_at", WHEN, nullable=False),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", WHEN),
)

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("until", WHEN, nullable=False),
)

staff_sessions = sa.Table(
    "staff_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("expires_at", WHEN, nullable=False),
)

needs = sa.Table(
    "needs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("week", sa.String(8), nullable=False),
    sa.Column("municipality", sa.String(80)),
    sa.Column("topic", sa.String(32)),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("created_at", WHEN, nullable=False),
)
