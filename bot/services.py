"""Starting and watching Apuri's processes: one free port, one wait-for-HTTP, one supervisor.

`apuri run` and the tests use these. The supervisor starts each service in its own process
group (so Ctrl-C in a terminal reaches only the supervisor, which then stops the services in
order), restarts a service that dies with back-off, and takes the services down with it if it
is killed itself.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
HEALTHY_AFTER = 60.0  # a service up this long starts its back-off from the beginning again


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """True when a GET of the URL answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def wait_http(url: str, procs: Sequence[subprocess.Popen] = (), timeout: float = 120.0) -> None:
    """Wait until the URL answers 200; raise if a watched process exits first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        if http_ok(url):
            return
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout:.0f} s")


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the supervisor dies, even by SIGKILL (Linux)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@dataclass
class Service:
    """One process to keep running: its command, environment and health URL."""

    name: str
    command: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    backoff: float = BACKOFF_FIRST
    restart_at: float | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.started_at = time.monotonic()
        self.restart_at = None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM to the service's process group, SIGKILL after the timeout."""
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


class Supervisor:
    """Runs services until Ctrl-C (SIGINT) or SIGTERM; restarts one that dies, with back-off."""

    def __init__(self, services: list[Service], say: Callable[[str], None] = print) -> None:
        self.services = services
        self.say = say
        self.stopping = False

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stopping = True

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.2, end - time.monotonic()))

    def wait_ready(self, timeout: float) -> bool:
        """Wait for every service's health URL; keep restarting those that die meanwhile."""
        deadline = time.monotonic() + timeout
        pending = list(self.services)
        while pending and not self.stopping and time.monotonic() < deadline:
            self.check()
            pending = [s for s in pending if not (s.running() and http_ok(s.health_url))]
            if pending:
                self._sleep(0.5)
        return not pending

    def check(self) -> None:
        """Restart services that have died, each after its own back-off."""
        now = time.monotonic()
        for service in self.services:
            if self.stopping or service.running():
                continue
            if service.restart_at is None:
                if now - service.started_at > HEALTHY_AFTER:
                    service.backoff = BACKOFF_FIRST
                code = service.proc.returncode if service.proc else None
                self.say(
                    f"apuri: {service.name} stopped (exit code {code}); "
                    f"restarting it in {service.backoff:.0f} s"
                )
                service.restart_at = now + service.backoff
                service.backoff = min(service.backoff * 2, BACKOFF_MAX)
            elif now >= service.restart_at:
                self.say(f"apuri: restarting {service.name}")
                service.start()

    def run(self, on_ready: Callable[[], None], ready_timeout: float) -> int:
        """Start everything, call on_ready once all answer, supervise until told to stop."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for service in self.services:
                service.start()
            if self.wait_ready(ready_timeout):
                on_ready()
            elif not self.stopping:
                names = ", ".join(s.name for s in self.services if not http_ok(s.health_url))
                self.say(
                    f"apuri: {names} did not answer in {ready_timeout:.0f} s; "
                    "still trying (see the messages above)"
                )
            while not self.stopping:
                self.check()
                self._sleep(0.5)
            self.say("apuri: stopping…")
            return 0
        finally:
            for service in reversed(self.services):
                service.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
