"""Settings every process reads the same way (contract §2): the var dir and its private files,
the secret that signs conversation ids and staff sessions, trusted proxies, embedding origins.

The var dir holds what one run generates (endpoints, tokens, the secret, the SQLite file by
default). Two runs from one checkout with different `APURI_VAR_DIR` never touch each other's
files, and everything in it is readable by its owner only.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECRET_FILE = "secret"
MIN_SECRET = 16  # characters of APURI_SECRET


def var_dir() -> Path:
    """APURI_VAR_DIR (relative to the working directory), else `var` in the checkout; made
    on first use, mode 700."""
    raw = os.environ.get("APURI_VAR_DIR")
    path = Path(raw).expanduser().resolve() if raw else ROOT / "var"
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def port(name: str, default: int) -> int:
    """A port from the environment (APURI_GATEWAY_PORT, APURI_RASA_PORT, …), checked the one
    way every process checks it."""
    raw = os.environ.get(name) or str(default)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SystemExit(f"apuri: {name}={raw!r} is not a port number (1–65535)")
    return int(raw)


def retention_days() -> int:
    """APURI_RETENTION_DAYS: how long requests keep their personal data after they were done
    (open and taken ones: after they were made); default 30."""
    raw = os.environ.get("APURI_RETENTION_DAYS") or "30"
    if not raw.isdigit():
        raise SystemExit(f"apuri: APURI_RETENTION_DAYS={raw!r} is not a number of days")
    return int(raw)


def rasa_token() -> str:
    """APURI_RASA_TOKEN: the token Rasa's HTTP API asks for ("" when none is set; `apuri run`
    then makes one for the run)."""
    return os.environ.get("APURI_RASA_TOKEN", "")


def stt_threads() -> int:
    """APURI_STT_THREADS: threads the speech-to-text engine may use (default 2)."""
    raw = os.environ.get("APURI_STT_THREADS") or "2"
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"apuri: APURI_STT_THREADS={raw!r} is not a number of threads")
    return int(raw)


def stt_min_confidence(default: float) -> float:
    """APURI_STT_MIN_CONFIDENCE: below this a transcript is asked again (default: tuned)."""
    raw = os.environ.get("APURI_STT_MIN_CONFIDENCE")
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"apuri: APURI_STT_MIN_CONFIDENCE={raw!r} is not a number") from None


def stt_engine() -> str:
    """APURI_STT: the speech-to-text engine ("whisper", the default, or "vosk")."""
    return (os.environ.get("APURI_STT") or "whisper").strip().lower()


def telegram_token() -> str:
    """TELEGRAM_BOT_TOKEN: the bot's token ("" when Telegram is not configured)."""
    return os.environ.get("TELEGRAM_BOT_TOKEN", "")


def telegram_available() -> bool:
    """Whether a Telegram bot is configured: live chats and requests can reach people there.
    The actions and the gateway both ask this."""
    return bool(telegram_token())


def smtp_url() -> str:
    """APURI_SMTP_URL: where requests go out by e-mail ("" when e-mail is not configured)."""
    return os.environ.get("APURI_SMTP_URL", "")


def email_available() -> bool:
    """Whether requests can be sent by e-mail."""
    return bool(smtp_url())


def database_url() -> str:
    """APURI_DB_URL, else the SQLite file in the var dir."""
    return os.environ.get("APURI_DB_URL") or f"sqlite:///{var_dir() / 'apuri.db'}"


def write_private(path: Path, text: str) -> None:
    """Replace a file with `text`, readable and writable by its owner only (never by a
    moment of a wider mode, and never half-written)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(temporary, path)


def secret() -> bytes:
    """APURI_SECRET, else the one generated into the var dir on first use (mode 600), so every
    gateway on the same var dir signs alike and ids outlive a restart."""
    given = os.environ.get("APURI_SECRET", "")
    if given:
        if len(given) < MIN_SECRET:
            raise SystemExit(
                f"apuri: APURI_SECRET is too short (at least {MIN_SECRET} "
                "characters; better 32 random ones)"
            )
        return given.encode("utf-8")
    path = var_dir() / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(20):  # another process may have made it a moment ago: let it finish
            value = path.read_text(encoding="utf-8").strip()
            if len(value) >= MIN_SECRET:
                return value.encode("utf-8")
            time.sleep(0.05)
        write_private(path, secrets.token_urlsafe(32) + "\n")  # an empty or broken file
        return path.read_text(encoding="utf-8").strip().encode("utf-8")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        value = secrets.token_urlsafe(32)
        fh.write(value + "\n")
    return value.encode("utf-8")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies() -> tuple[Network, ...]:
    """APURI_TRUSTED_PROXIES: addresses (or networks) of reverse proxies whose
    X-Forwarded-For is believed."""
    raw = os.environ.get("APURI_TRUSTED_PROXIES", "")
    out = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SystemExit(
                f"apuri: APURI_TRUSTED_PROXIES: {item!r} is not an IP address " "or network"
            ) from None
    return tuple(out)


def embed_origins() -> tuple[str, ...]:
    """APURI_EMBED_ORIGINS: origins (https://kunta.fi) allowed to frame the chat."""
    raw = os.environ.get("APURI_EMBED_ORIGINS", "")
    out = []
    for item in (part.strip().rstrip("/") for part in raw.replace(" ", ",").split(",")):
        if not item:
            continue
        if not item.startswith(("https://", "http://")) or any(c in item for c in ";'\"\n"):
            raise SystemExit(
                f"apuri: APURI_EMBED_ORIGINS: {item!r} is not an origin " "(https://host[:port])"
            )
        out.append(item)
    return tuple(out)


@dataclass(frozen=True)
class PhoneLine:
    """The phone line's SIP settings (contract §2, §8)."""

    uri: str  # APURI_SIP_URI: the account registered at the PBX or trunk
    password: str
    registrar: str
    host: str  # APURI_SIP_HOST: where SIP and the calls' audio are bound
    port: int  # APURI_SIP_PORT: 0 when calls come only through registration

    @property
    def on(self) -> bool:
        return bool(self.uri or self.port)

    def why_off(self) -> str:
        return "" if self.on else "APURI_SIP_URI and APURI_SIP_PORT are unset"

    def trunk(self) -> str:
        """The trunk's domain for transfers to phone numbers: the registrar's host, or the
        account's; "" when calls come straight to a port (then the caller's host)."""
        for uri in (self.registrar, self.uri):
            rest = uri.split(":", 1)[-1] if uri.startswith(("sip:", "sips:")) else uri
            host = rest.split("@", 1)[-1].split(";", 1)[0].strip("/<>")
            if host:
                return host
        return ""


def phone_line() -> PhoneLine:
    raw_port = os.environ.get("APURI_SIP_PORT", "")
    return PhoneLine(
        uri=os.environ.get("APURI_SIP_URI", "").strip(),
        password=os.environ.get("APURI_SIP_PASSWORD", ""),
        registrar=os.environ.get("APURI_SIP_REGISTRAR", "").strip(),
        host=os.environ.get("APURI_SIP_HOST", "").strip() or "127.0.0.1",
        port=port("APURI_SIP_PORT", 5060) if raw_port else 0,
    )
