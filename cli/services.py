"""Starting and watching Apuri's processes: one free port, one wait-for-HTTP, one supervisor.

`apuri run` and the tests use these. The supervisor starts each service in its own process
group (so Ctrl-C in a terminal reaches only the supervisor, which then stops the services in
order), restarts a service that dies with back-off, and takes the services down with it if it
is killed itself. A service with a log file writes its stdout and stderr there, not to the
console: the console keeps the supervisor's own lines, and a service that dies is named with
its log file.
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
from pathlib import Path

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
HEALTHY_AFTER = 60.0  # a service up this long starts its back-off from the beginning again
TAIL_LINES = 5  # of a service's log, shown when it exits with an error of its own


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
    log: Path | None = None  # the service's stdout and stderr (None: the console)
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    backoff: float = BACKOFF_FIRST
    restart_at: float | None = None
    restarted: bool = False  # restarted and not yet answering its health URL

    def new_log(self) -> None:
        """Begin this run's log: the previous run's is kept as <name>.1."""
        if self.log is not None and self.log.exists():
            os.replace(self.log, self.log.with_name(self.log.name + ".1"))

    def _open_log(self) -> int | None:
        """The log file opened for appending (mode 600), headed by the start's time."""
        if self.log is None:
            return None
        fd = os.open(self.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.write(
            fd, f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} apuri: starting {self.name}\n".encode()
        )
        return fd

    def start(self) -> None:
        output = self._open_log()
        try:
            self.proc = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env={**os.environ, **self.env},
                stdout=output,
                stderr=output,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        finally:
            if output is not None:
                os.close(output)  # the service has its own copy
        self.started_at = time.monotonic()
        self.restart_at = None

    def tail(self, lines: int = TAIL_LINES) -> list[str]:
        """The last non-blank lines of the log (each cut to 200 characters)."""
        if self.log is None:
            return []
        try:
            with open(self.log, "rb") as fh:
                fh.seek(max(0, fh.seek(0, os.SEEK_END) - 8192))
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            return []
        return [line.rstrip()[:200] for line in text.splitlines() if line.strip()][-lines:]

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
        """Restart services that have died, each after its own back-off; say when a restarted
        one answers again."""
        now = time.monotonic()
        for service in self.services:
            if self.stopping:
                return
            if service.running():
                if service.restarted and http_ok(service.health_url):
                    service.restarted = False
                    self.say(f"apuri: {service.name} is running again")
                continue
            if service.restart_at is None:
                if now - service.started_at > HEALTHY_AFTER:
                    service.backoff = BACKOFF_FIRST
                self._died(service)
                service.restart_at = now + service.backoff
                service.backoff = min(service.backoff * 2, BACKOFF_MAX)
            elif now >= service.restart_at:
                self.say(f"apuri: restarting {service.name}")
                service.start()
                service.restarted = True

    def _died(self, service: Service) -> None:
        """The console line for a service that stopped on its own: its exit code, its log file,
        and the log's last lines when it exited with an error of its own (not by a signal)."""
        code = service.proc.returncode if service.proc else None
        where = f"; its log: {service.log}" if service.log else ""
        self.say(
            f"apuri: {service.name} stopped (exit code {code}); "
            f"restarting it in {service.backoff:.0f} s{where}"
        )
        if code is not None and code > 0:
            for line in service.tail():
                self.say(f"  | {line}")

    def run(self, on_ready: Callable[[], None], ready_timeout: float) -> int:
        """Start everything, call on_ready once all answer, supervise until told to stop."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for service in self.services:
                service.new_log()
                service.start()
            if self.wait_ready(ready_timeout):
                on_ready()
            elif not self.stopping:
                late = [s for s in self.services if not http_ok(s.health_url)]
                logs = ", ".join(str(s.log) for s in late if s.log)
                self.say(
                    f"apuri: {', '.join(s.name for s in late)} did not answer in "
                    f"{ready_timeout:.0f} s; still trying "
                    + (f"(see {logs})" if logs else "(see the messages above)")
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
