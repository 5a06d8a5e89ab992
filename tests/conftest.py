"""Shared fixtures: the trained model, a real action server, a Rasa agent."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "apuri.tar.gz"
BIN = Path(sys.executable).parent

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server (Debian's package) for this run; skipped only outside CI."""
    from bench.pgtemp import pg_bin, temporary_postgres

    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; make setup installs it (postgresql)")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with temporary_postgres() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database on the test server."""
    from bench.pgtemp import create_database

    return create_database(postgres_server, f"apuri_{time.monotonic_ns()}")


@pytest.fixture(scope="session")
def model_path() -> Path:
    if not MODEL.exists():
        pytest.fail("models/apuri.tar.gz is missing: run 'make train' (make test does it)")
    return MODEL


FIXTURE_DIRECTORY = ROOT / "tests" / "fixtures" / "directory_small.json"


@pytest.fixture(scope="session")
def directory_url(tmp_path_factory) -> str:
    """A real SQLite directory loaded with the small fixture file."""
    from actions.directory import Directory, load_file

    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'apuri.db'}"
    Directory(url).import_document(load_file(FIXTURE_DIRECTORY))
    return url


@pytest.fixture(scope="session")
def action_server(directory_url: str) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "rasa"), "run", "actions", "--port", str(port), "--actions", "actions"],
        cwd=ROOT,
        env={**os.environ, "APURI_DB_URL": directory_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/health", proc, 120)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def event_loop_session() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def agent(model_path: Path, action_server: str, event_loop_session: asyncio.AbstractEventLoop):
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    return Agent.load(str(model_path), action_endpoint=EndpointConfig(url=action_server))


class Chat:
    """One conversation with the agent; say() returns the bot's texts."""

    def __init__(self, agent, loop: asyncio.AbstractEventLoop, sender: str) -> None:
        self.agent, self.loop, self.sender = agent, loop, sender

    def say(self, text: str) -> list[str]:
        replies = self.loop.run_until_complete(self.agent.handle_text(text, sender_id=self.sender))
        return [r.get("text", "") for r in replies or []]

    def slots(self) -> dict:
        tracker = self.loop.run_until_complete(self.agent.tracker_store.retrieve(self.sender))
        return tracker.current_slot_values() if tracker else {}


@pytest.fixture
def chat(agent, event_loop_session, request) -> Chat:
    return Chat(agent, event_loop_session, f"test-{request.node.name}-{time.monotonic_ns()}")
