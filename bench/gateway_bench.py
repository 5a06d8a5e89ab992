"""Load benchmark: the gateway under many users, and what it adds on top of Rasa.

    .venv/bin/python bench/gateway_bench.py [--users 200] [--seconds 60] [--think 10]

Starts `apuri run` on free ports with the sample directory in a temporary database, then:
1. closed loop, straight at Rasa's REST channel: `--users` simulated users, each sending a
   question, waiting for the answer and then about `--think` seconds (uniform ±20 %);
2. the same users through the gateway's `POST /api/messages`, each with its own conversation id
   (`POST /api/conversations`, asked before the clock starts) and its own client address;
3. a steady 20 messages/s straight at Rasa and then through the gateway: the gateway's overhead;
4. open loop through the gateway: a fixed message rate for 20 s each, rising until p95 goes over
   1 s; the highest rate that kept p95 under 1 s is the capacity.
Latency p50/p95/p99 and errors for each; the report goes to bench/results/gateway-<date>.md and
.json. Timings are noisy on a shared 2-core machine: compare runs from the same moment.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cli.services import free_port, wait_http  # noqa: E402

QUESTIONS = [
    "onko Kuopiossa kuoroja",
    "mitä tapahtumia on tulossa Rovaniemellä",
    "hei",
    "tarvitsen apua verkkopankin kanssa Jyväskylässä",
    "kuka on Joensuun järjestöyhdyshenkilö",
    "mistä yhdistys voi hakea avustusta",
    "onko Siilinjärvellä eläkeläisten kerhoja",
    "kiitos",
    "missä voisin käydä jumpassa Kemissä",
    "tarvitaan kokoustila yhdistykselle Lieksassa",
]
TOKEN = "bench-token"


def start_stack(db_url: str, var_dir: str) -> tuple[subprocess.Popen, dict[str, int]]:
    """`apuri run` on free ports, its generated files in `var_dir` (not the checkout's var/).
    Every simulated user comes from this one address, so the gateway is told to believe
    X-Forwarded-For from 127.0.0.1 as it would from a reverse proxy: each user then sends its
    own address there, and the per-client limits see one client per user (as with real
    users), not one client sending everything."""
    ports = {
        "APURI_RASA_PORT": free_port(),
        "APURI_ACTIONS_PORT": free_port(),
        "APURI_GATEWAY_PORT": free_port(),
    }
    env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "APURI_DB_URL": db_url,
        "APURI_RASA_TOKEN": TOKEN,
        "APURI_VAR_DIR": var_dir,
        "APURI_TRUSTED_PROXIES": "127.0.0.1",
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "apuri"), "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_http(f"http://127.0.0.1:{ports['APURI_RASA_PORT']}/status?token={TOKEN}", [proc], 300)
    wait_http(f"http://127.0.0.1:{ports['APURI_GATEWAY_PORT']}/health", [proc], 60)
    return proc, ports


_ADDRESSES = itertools.count(1)


def client_address() -> str:
    """A made-up client address (10.x.y.z) no other simulated user has."""
    n = next(_ADDRESSES)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


class Target:
    """Where messages go: Rasa's REST channel or the gateway's API."""

    def __init__(self, kind: str, port: int) -> None:
        self.kind = kind
        self.base = f"http://127.0.0.1:{port}"
        if kind == "rasa":
            self.url = f"{self.base}/webhooks/rest/webhook"
        else:
            self.url = f"{self.base}/api/messages"
        self.users: dict[str, tuple[str, str]] = {}  # gateway user → (conversation id, address)

    async def prepare(self, session: aiohttp.ClientSession, users: list[str]) -> None:
        """Each gateway user's conversation id, made by the gateway as a browser's would be,
        asked from the user's own address; before the clock starts, so only messages are
        timed. Rasa's REST channel takes any sender."""
        if self.kind == "rasa":
            return
        for start in range(0, len(users), 50):
            await asyncio.gather(*(self._new_user(session, u) for u in users[start : start + 50]))

    async def _new_user(self, session: aiohttp.ClientSession, user: str) -> None:
        address = client_address()
        async with session.post(
            f"{self.base}/api/conversations", headers={"X-Forwarded-For": address}
        ) as resp:
            data = await resp.json(content_type=None)
            if resp.status != 201:
                raise RuntimeError(f"POST /api/conversations: {resp.status} {data}")
        self.users[user] = (data["conversation"], address)

    def request(self, user: str, text: str) -> tuple[dict[str, str], dict[str, str]]:
        """The JSON body and the headers of one message from `user`."""
        if self.kind == "rasa":
            return {"sender": f"bench-{user}", "message": text}, {}
        conversation, address = self.users[user]
        return {"conversation": conversation, "text": text}, {"X-Forwarded-For": address}


async def one(
    session: aiohttp.ClientSession,
    target: Target,
    user: str,
    text: str,
    latencies: list[float],
    errors: list[str],
) -> None:
    body, headers = target.request(user, text)
    start = time.perf_counter()
    try:
        async with session.post(target.url, json=body, headers=headers) as resp:
            await resp.read()
            if resp.status != 200:
                errors.append(str(resp.status))
                return
    except (aiohttp.ClientError, asyncio.TimeoutError) as err:
        errors.append(type(err).__name__)
        return
    latencies.append(time.perf_counter() - start)


def summary(latencies: list[float], errors: list[str], seconds: float) -> dict[str, Any]:
    ms = np.array(latencies) * 1000 if latencies else np.array([0.0])
    return {
        "messages": len(latencies),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "rate": round(len(latencies) / seconds, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
    }


async def closed_loop(target: Target, users: int, seconds: float, think: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    end = 0.0  # set once every user has its id
    rng = random.Random(7)

    async def user(n: int, session: aiohttp.ClientSession) -> None:
        await asyncio.sleep(rng.uniform(0, think))
        while time.monotonic() < end:
            await one(
                session, target, f"{target.kind}-{n}", rng.choice(QUESTIONS), latencies, errors
            )
            await asyncio.sleep(rng.uniform(0.8 * think, 1.2 * think))

    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await target.prepare(session, [f"{target.kind}-{n}" for n in range(users)])
        end = time.monotonic() + seconds
        await asyncio.gather(*(user(n, session) for n in range(users)))
    return summary(latencies, errors, seconds)


async def open_loop(target: Target, rate: float, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    rng = random.Random(11)
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        # every message is a new user: one id each, as many as the rate can send in `seconds`
        await target.prepare(session, [f"open-{rate}-{n}" for n in range(int(rate * seconds) + 10)])
        tasks = []
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < seconds:
            text = rng.choice(QUESTIONS)
            job = one(session, target, f"open-{rate}-{n}", text, latencies, errors)
            tasks.append(asyncio.create_task(job))
            n += 1
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
        await asyncio.gather(*tasks)
    return summary(latencies, errors, seconds)


async def measure(ports: dict[str, int], args: argparse.Namespace) -> dict[str, Any]:
    rasa = Target("rasa", ports["APURI_RASA_PORT"])
    gateway = Target("gateway", ports["APURI_GATEWAY_PORT"])
    report: dict[str, Any] = {
        "users": args.users,
        "seconds": args.seconds,
        "think_s": args.think,
        "step_seconds": args.step_seconds,
    }
    print("== warming up (caches, connections)", flush=True)
    await open_loop(gateway, 10, 15)
    print(f"== {args.users} users straight at Rasa's REST channel", flush=True)
    report["rasa"] = await closed_loop(rasa, args.users, args.seconds, args.think)
    print(f"   {report['rasa']}", flush=True)
    print(f"== {args.users} users through the gateway", flush=True)
    report["gateway"] = await closed_loop(gateway, args.users, args.seconds, args.think)
    print(f"   {report['gateway']}", flush=True)
    print("== the same steady rate (20/s) straight at Rasa and through the gateway", flush=True)
    report["steady_rasa"] = await open_loop(rasa, 20, args.step_seconds)
    report["steady_gateway"] = await open_loop(gateway, 20, args.step_seconds)
    report["overhead_p95_ms"] = round(
        report["steady_gateway"]["p95_ms"] - report["steady_rasa"]["p95_ms"], 1
    )
    print(f"   gateway adds {report['overhead_p95_ms']} ms at p95", flush=True)
    report["capacity"] = []
    for rate in args.rates:
        result = await open_loop(gateway, rate, args.step_seconds)
        report["capacity"].append({"offered": rate, **result})
        print(f"   open loop {rate}/s: {result}", flush=True)
        if result["p95_ms"] > 1000 or result["errors"]:
            break
    ok = [c["offered"] for c in report["capacity"] if c["p95_ms"] <= 1000 and not c["errors"]]
    report["capacity_msgs_per_s"] = max(ok) if ok else None
    return report


def render(report: dict[str, Any]) -> str:
    rows = [
        f"# Gateway load — {dt.date.today().isoformat()}",
        "",
        f"{report['users']} simulated users, about {report['think_s']} s between messages, "
        f"{report['seconds']} s each; sample directory; 2 cores shared with everything else.",
        "",
        "| path | messages | rate/s | p50 | p95 | p99 | errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, label in (("rasa", "Rasa REST channel"), ("gateway", "gateway /api/messages")):
        r = report[key]
        rows.append(
            f"| {label} | {r['messages']} | {r['rate']} | {r['p50_ms']} ms | "
            f"{r['p95_ms']} ms | {r['p99_ms']} ms | {r['errors']} |"
        )
    rasa, gateway = report["steady_rasa"], report["steady_gateway"]
    rows += [
        "",
        f"At a steady 20 messages/s for {report['step_seconds']} s: Rasa p50 / p95 "
        f"{rasa['p50_ms']} / {rasa['p95_ms']} ms, through the gateway {gateway['p50_ms']} / "
        f"{gateway['p95_ms']} ms: the gateway adds {report['overhead_p95_ms']} ms at p95.",
        "",
        "Open loop through the gateway (20 s per rate):",
        "",
        "| offered/s | answered/s | p50 | p95 | p99 | errors |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for c in report["capacity"]:
        rows.append(
            f"| {c['offered']} | {c['rate']} | {c['p50_ms']} ms | {c['p95_ms']} ms | "
            f"{c['p99_ms']} ms | {c['errors']} |"
        )
    rows += [
        "",
        f"Capacity (highest rate with p95 ≤ 1 s and no errors): "
        f"{report['capacity_msgs_per_s']} messages/s.",
    ]
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=10)
    parser.add_argument(
        "--rates",
        type=lambda s: [float(x) for x in s.split(",")],
        default=[10, 20, 30, 40, 50, 60, 80],
    )
    parser.add_argument("--step-seconds", type=float, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, ports = start_stack(f"sqlite:///{tmp}/apuri.db", f"{tmp}/var")
        try:
            report = asyncio.run(measure(ports, args))
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=60)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    name = f"gateway-{dt.date.today().isoformat()}"
    (out / f"{name}.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    (out / f"{name}.md").write_text(render(report), encoding="utf-8")
    print(render(report))
    print(f"report: bench/results/{name}.md")


if __name__ == "__main__":
    main()
