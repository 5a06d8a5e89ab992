"""A throwaway PostgreSQL server from Debian's package, for tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cli.services import free_port


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


class PostgresServer:
    """A server in a temporary directory, on a free port of 127.0.0.1; stop() and start() it
    again (tests of a database that goes away), close() removes it."""

    def __init__(self) -> None:
        bin_dir = pg_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = bin_dir
        self.base = Path(tempfile.mkdtemp(prefix="apuri-pg-"))  # outside pytest's root-only tmp
        self.data, self.sockets = self.base / "data", self.base / "sock"
        self.sockets.mkdir()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: use its own system user
            self.as_user = ["runuser", "-u", "postgres", "--"]
            subprocess.run(["chown", "-R", "postgres", str(self.base)], check=True)
        self.port = free_port()
        self._run(
            str(bin_dir / "initdb"),
            "-D",
            str(self.data),
            "--auth=trust",
            "-U",
            "postgres",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        self.start()

    @property
    def url(self) -> str:
        """The admin URL (add /<database>)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self.as_user, *cmd], check=True, capture_output=True)

    def start(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.base / "log"),
            "-o",
            f"-p {self.port} -k {self.sockets} " "-c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
            capture_output=True,
        )

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


@contextlib.contextmanager
def temporary_postgres() -> Iterator[str]:
    """Start a server in a temporary directory; yield its admin URL; stop and remove it."""
    server = PostgresServer()
    try:
        yield server.url
    finally:
        server.close()


def create_database(admin_url: str, name: str) -> str:
    """A new empty database on the server; its URL."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"{admin_url}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{admin_url}/{name}"
