"""The `apuri` command: `apuri run` starts the services; `apuri directory` imports and exports."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import secrets
import sys
from pathlib import Path

from cli.services import Service, Supervisor
from core import clock, settings

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "apuri.tar.gz"


SAMPLE_DIRECTORY = ROOT / "data" / "sample_directory.json"


def upcoming(document: dict, today: dt.date) -> dict:
    """The sample with past event dates and grant deadlines moved forward by whole 52-week
    steps (same weekday and time), so that a demo always has something upcoming."""
    step = dt.timedelta(weeks=52)

    def shift(day: dt.date) -> dt.timedelta:
        return step * max(0, -((day - today) // step))

    for event in document.get("events", []):
        start = dt.datetime.fromisoformat(event["start"])
        moved = shift(start.date())
        event["start"] = (start + moved).isoformat()
        if event.get("end"):
            event["end"] = (dt.datetime.fromisoformat(event["end"]) + moved).isoformat()
    for grant in document.get("grants", []):
        if grant.get("deadline"):
            deadline = dt.date.fromisoformat(grant["deadline"])
            grant["deadline"] = (deadline + shift(deadline)).isoformat()
    return document


def seed_if_empty() -> None:
    """Load the sample directory into an empty database, and say so."""
    from store.directory import Directory, database_url, load_file

    directory = Directory()
    if directory.is_empty():
        counts = directory.import_document(upcoming(load_file(SAMPLE_DIRECTORY), clock.today()))
        total = sum(counts.values())
        print(
            f"apuri: the directory was empty; loaded {total} sample records "
            f"from {SAMPLE_DIRECTORY.relative_to(ROOT)} into {database_url()}"
        )


def rasa_token(var: Path) -> str:
    """APURI_RASA_TOKEN, or a new random token for this run, kept in the var dir's rasa-token
    (mode 600). It reaches Rasa and the gateway through their environment, never a command
    line (which `ps` shows to everyone)."""
    token = settings.rasa_token()
    if token:
        return token
    token = secrets.token_urlsafe(32)
    settings.write_private(var / "rasa-token", token + "\n")
    return token


LOGS = {
    "actions": "actions.log",
    "rasa": "rasa.log",
    "gateway": "gateway.log",
    "phone": "phone.log",
}
OWN_LOG = "apuri.log"  # the supervisor's own library warnings, if any


def quiet_libraries(log: Path) -> None:
    """This process's library warnings and log records go to a file in the var dir, not the
    console (which keeps Apuri's own lines), and without personal data."""
    from bot.privacy import keep_logs_clean

    keep_logs_clean()
    handler = logging.FileHandler(log, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.captureWarnings(True)


def run(args: argparse.Namespace) -> int:
    """Start the action server and Rasa on 127.0.0.1 and the gateway, and keep them running
    until Ctrl-C. The console shows Apuri's own lines; each service writes to its log file in
    the var dir."""
    if not MODEL.exists():
        print("apuri: no trained model in models/apuri.tar.gz; run 'make train' first.")
        return 1
    rasa_port = settings.port("APURI_RASA_PORT", 5005)
    actions_port = settings.port("APURI_ACTIONS_PORT", 5055)
    gateway_port = settings.port("APURI_GATEWAY_PORT", 8080)
    os.umask(0o077)  # whatever this run and its services write is readable by its owner only
    var = settings.var_dir()
    logs = {key: var / name for key, name in LOGS.items()}
    print(
        f"apuri: starting; the web chat will be at http://127.0.0.1:{gateway_port}/ "
        f"(loading the model takes a while; the services' logs are in {var})…",
        flush=True,
    )
    quiet_libraries(var / OWN_LOG)
    seed_if_empty()
    token = rasa_token(var)
    settings.secret()  # made once here, before the gateways read it
    bin_dir = Path(sys.executable).parent
    endpoints = var / "endpoints.yml"
    settings.write_private(
        endpoints, f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
    )
    env = {
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONUNBUFFERED": "1",  # a service's last words reach its log even if it is killed
        "APURI_VAR_DIR": str(var),
    }
    services = [
        Service(
            "the action server",
            [
                str(bin_dir / "rasa"),
                "run",
                "actions",
                "--port",
                str(actions_port),
                "--actions",
                "actions",
            ],
            f"http://127.0.0.1:{actions_port}/health",
            env={**env, "SANIC_HOST": "127.0.0.1"},
            cwd=str(ROOT),
            log=logs["actions"],
        ),
        Service(
            "Rasa",
            [
                sys.executable,
                "-m",
                "bot.rasa_server",
                "run",
                "--enable-api",
                "--interface",
                "127.0.0.1",
                "--port",
                str(rasa_port),
                "--model",
                str(MODEL),
                "--endpoints",
                str(endpoints),
                "--credentials",
                "bot/credentials.yml",
            ],
            f"http://127.0.0.1:{rasa_port}/status?token={token}",
            env={**env, "APURI_RASA_TOKEN": token},
            cwd=str(ROOT),
            log=logs["rasa"],
        ),
        Service(
            "the gateway",
            [sys.executable, "-m", "gateway"],
            f"http://127.0.0.1:{gateway_port}/health",
            env={**env, "APURI_RASA_TOKEN": token},
            cwd=str(ROOT),
            log=logs["gateway"],
        ),
    ]
    line = settings.phone_line()
    if line.on:  # its own process: a crash ends calls, never the chat
        phone_port = settings.port("APURI_PHONE_PORT", 5066)
        services.append(
            Service(
                "the phone line",
                [sys.executable, "-m", "phone"],
                f"http://127.0.0.1:{phone_port}/health",
                env={**env, "APURI_RASA_TOKEN": token},
                cwd=str(ROOT),
                log=logs["phone"],
            )
        )
    sip = f"sip:apuri@{line.host}:{line.port or 5060}"
    phone_lines = (
        f"\n  Phone line (SIP, G.711): {sip}"
        + (f" (registered as {line.uri})" if line.uri else "")
        + f"; its log: {logs['phone']}"
        + f"\n  Call it: .venv/bin/python -m phone.caller {sip} --keys 70100 --keys 1"
        if line.on
        else ""
    )

    def ready() -> None:
        print(
            f"""
Apuri is running. Chat with it in a browser:

  http://127.0.0.1:{gateway_port}/

  Gateway (web chat, API, Telegram webhook, /health): port {gateway_port}, the one for users
  Rasa REST channel: http://127.0.0.1:{rasa_port}/webhooks/rest/webhook
  Rasa HTTP API:     http://127.0.0.1:{rasa_port}/status?token=…
                     (the token: APURI_RASA_TOKEN, or {var / "rasa-token"} when generated)
  Action server:     http://127.0.0.1:{actions_port}/health
  Rasa and the action server listen on 127.0.0.1 only.

Logs (each service's output, warnings and errors; the previous run's in *.log.1):
  Gateway:       {logs["gateway"]}
  Rasa:          {logs["rasa"]}
  Action server: {logs["actions"]}{phone_lines}

Or from a terminal (a conversation id comes from the server; keep it secret):
  id=$(curl -s -X POST http://127.0.0.1:{gateway_port}/api/conversations \\
       | python3 -c 'import json, sys; print(json.load(sys.stdin)["conversation"])')
  curl -s -X POST http://127.0.0.1:{gateway_port}/api/messages \\
       -H 'Content-Type: application/json' \\
       -d '{{"conversation": "'$id'", "text": "onko Kuopiossa kuoroja"}}'
  curl -s -X POST "http://127.0.0.1:{gateway_port}/api/voice?conversation=$id" \\
       --data-binary @kysymys.wav        (speech: WAV, OGG, WebM, MP3; /health → speech)

Ctrl-C stops everything.""",
            flush=True,
        )

    code = Supervisor(services, say=lambda line: print(line, flush=True)).run(ready, args.timeout)
    print("apuri: stopped.", flush=True)
    return code


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr)
    if done >= total:
        print(file=sys.stderr)


def directory_import(args: argparse.Namespace) -> int:
    """Validate and load a directory file; exit 2 and write nothing when it is invalid."""
    from store.directory import Directory, DirectoryValidationError, importers, load_file

    try:
        document = load_file(args.file)
        if args.source == "linked-events":
            places = load_file(args.places) if args.places else None
            document = importers.linked_events(document, places)
        elif args.source == "ptv":
            document = importers.ptv(document)
        counts = Directory().import_document(document, replace=args.replace, progress=_progress)
    except FileNotFoundError as err:
        print(f"apuri: no such file: {err.filename}", file=sys.stderr)
        return 2
    except DirectoryValidationError as err:
        shown = err.errors[:50]
        print(f"apuri: {args.file} was not imported; nothing was written.", file=sys.stderr)
        for line in shown:
            print(f"  {line}", file=sys.stderr)
        if len(err.errors) > len(shown):
            print(f"  … and {len(err.errors) - len(shown)} more", file=sys.stderr)
        return 2
    except ValueError as err:  # an importer that does not recognise the file's shape
        print(f"apuri: {args.file} was not imported; nothing was written: {err}", file=sys.stderr)
        return 2
    summary = ", ".join(f"{kind} {n}" for kind, n in counts.items())
    print(f"apuri: imported {args.file} ({'replaced' if args.replace else 'upsert'}): {summary}")
    return 0


def directory_export(args: argparse.Namespace) -> int:
    import json

    from store.directory import Directory

    document = Directory().export_document()
    Path(args.file).write_text(
        json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(
        f"apuri: exported {sum(len(v) for v in document.values() if isinstance(v, list))} "
        f"records to {args.file}"
    )
    return 0


HANDOFF_FIELDS = (
    "id",
    "kind",
    "status",
    "person_id",
    "person_name",
    "municipality",
    "topic",
    "phone",
    "preferred_time",
    "preferred_text",
    "subject",
    "created_at",
    "taken_at",
    "taken_by",
    "done_at",
    "delivered_at",
    "purged_at",
)


def handoff_list(args: argparse.Namespace) -> int:
    """Callback and handoff requests (contract §7), newest first."""
    import json

    from store.handoff import Handoffs

    rows = [{k: r.get(k) for k in HANDOFF_FIELDS} for r in Handoffs().list(args.status)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print("apuri: no requests" + (f" with status {args.status}" if args.status else ""))
    for r in rows:
        delivered = "delivered" if r["delivered_at"] else "not delivered yet"
        print(
            f"{r['id']}  {r['kind']:8} {r['status']:5}  {r['created_at']}  "
            f"{r['person_name'] or '(staff page)'}  {r['municipality'] or ''}  {delivered}"
        )
    return 0


def handoff_purge(args: argparse.Namespace) -> int:
    """Forget the personal data of requests done, or made, over APURI_RETENTION_DAYS ago."""
    from store.handoff import Handoffs

    days = settings.retention_days()
    count = Handoffs().purge(days)
    print(f"apuri: removed the personal data of {count} requests done or made over {days} days ago")
    return 0


def staff_add(args: argparse.Namespace) -> int:
    """A staff login; the password comes from standard input (one line)."""
    from store.handoff import Handoffs
    from store.handoff.staff import Staff, StaffError

    password = sys.stdin.readline().rstrip("\n")
    try:
        Staff(Handoffs()).add(args.username, password)
    except StaffError as err:
        print(f"apuri: {err}", file=sys.stderr)
        return 2
    print(f"apuri: staff login {args.username!r} created")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="apuri", description="Apuri, a Finnish helper bot")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="start Rasa and the action server, until Ctrl-C")
    run_parser.add_argument(
        "--timeout", type=float, default=300, help="seconds to wait for Rasa to load the model"
    )
    run_parser.set_defaults(func=run)
    directory = sub.add_parser("directory", help="import or export the directory (APURI_DB_URL)")
    dsub = directory.add_subparsers(dest="directory_command", required=True)
    imp = dsub.add_parser("import", help="validate and load an apuri-directory/1 JSON file")
    imp.add_argument("file")
    imp.add_argument("--replace", action="store_true", help="replace the whole directory")
    imp.add_argument(
        "--from",
        dest="source",
        choices=["apuri", "linked-events", "ptv"],
        default="apuri",
        help="the file's format: apuri-directory/1 (default), Linked Events /event/ JSON, "
        "or Suomi.fi PTV v11 JSON",
    )
    imp.add_argument("--places", help="with --from linked-events: a /place/ JSON file")
    imp.set_defaults(func=directory_import)
    exp = dsub.add_parser("export", help="write the directory as apuri-directory/1 JSON")
    exp.add_argument("file")
    exp.set_defaults(func=directory_export)
    handoff = sub.add_parser("handoff", help="callback and handoff requests")
    hsub = handoff.add_subparsers(dest="handoff_command", required=True)
    listing = hsub.add_parser("list", help="list requests")
    listing.add_argument("--json", action="store_true", help="a JSON array")
    listing.add_argument("--status", choices=["open", "taken", "done"])
    listing.set_defaults(func=handoff_list)
    purge = hsub.add_parser("purge", help="forget personal data of old requests")
    purge.set_defaults(func=handoff_purge)
    staff = sub.add_parser("staff", help="staff logins for the staff page")
    ssub = staff.add_subparsers(dest="staff_command", required=True)
    add = ssub.add_parser("add", help="create a login; the password is read from stdin")
    add.add_argument("username")
    add.set_defaults(func=staff_add)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
