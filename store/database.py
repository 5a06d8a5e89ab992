"""The one database every store uses: the engine, one Alembic history for every table (the
directory, the requests and their outbox, the vault, live sessions, needs, staff accounts), and
the one error an outage raises.

SQLite by default (APURI_DB_URL, contract §2), PostgreSQL with the same code.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from core.settings import database_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CONNECT_TIMEOUT = 5  # seconds: a database that does not answer is down, not slow


class StoreUnavailable(Exception):
    """The database cannot be reached or used now (refused, timed out, locked, its pool full):
    the one error the actions and the gateway answer with "try again" and a human. A
    programming error (no such table, bad SQL) is never this: it keeps its own type and trace."""


# SQLite reports bad SQL as an OperationalError too: those are bugs, not an outage
_SQLITE_BUGS = ("no such ", "syntax error", "has no column", "ambiguous column")


# what the database says of the statement or the row, not of itself: bugs and refusals
_NOT_AN_OUTAGE = (
    sa.exc.ProgrammingError,
    sa.exc.IntegrityError,
    sa.exc.DataError,
    sa.exc.NotSupportedError,
)


def _unavailable(context: Any) -> None:
    """Turns a failure of the database itself (refused, timed out, locked, a file that is no
    database) into StoreUnavailable: SQLAlchemy's handle_error event, which also sees failures
    to connect."""
    error = context.sqlalchemy_exception
    if not isinstance(error, sa.exc.DBAPIError) or isinstance(error, _NOT_AN_OUTAGE):
        return
    if any(bug in str(context.original_exception) for bug in _SQLITE_BUGS):
        return
    reason = type(context.original_exception).__name__
    raise StoreUnavailable(f"the database is unavailable ({reason})") from error


def open_database(url: str | None = None) -> sa.engine.Engine:
    """An engine on APURI_DB_URL (or `url`) with the schema at the newest Alembic revision.

    The directory and the handoff records share the database and its migrations.
    """
    url = url or database_url()
    connect_args: dict[str, Any] = {}
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        _private_sqlite_file(Path(url.removeprefix("sqlite:///")))
    elif url.startswith("postgresql"):
        connect_args["connect_timeout"] = CONNECT_TIMEOUT
    # hide_parameters: an error's text never carries what a user wrote (a subject, a number);
    # pool_pre_ping: the first message after a database restart gets a fresh connection
    engine = sa.create_engine(
        url, future=True, hide_parameters=True, pool_pre_ping=True, connect_args=connect_args
    )
    sa.event.listen(engine, "handle_error", _unavailable)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return engine


def _private_sqlite_file(path: Path) -> None:
    """The SQLite file (and its journal, which SQLite makes with the file's mode) readable by
    its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for name in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
        if name.exists() and name.stat().st_mode & 0o077:
            os.chmod(name, 0o600)
