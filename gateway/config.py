"""The gateway's settings, read once from the environment (contract §2)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from core import settings


@dataclass(frozen=True)
class Config:
    port: int = 8080
    host: str = "0.0.0.0"
    rasa_url: str = "http://127.0.0.1:5005"
    actions_url: str = "http://127.0.0.1:5055"
    rasa_token: str = ""
    telegram_token: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    smtp_url: str = ""
    mail_from: str = ""
    retention_days: int = 30
    secret: bytes = field(default=b"", repr=False)
    trusted_proxies: tuple[settings.Network, ...] = ()
    embed_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls) -> Config:
        env = os.environ
        rasa_port = settings.port("APURI_RASA_PORT", 5005)
        actions_port = settings.port("APURI_ACTIONS_PORT", 5055)
        return cls(
            port=settings.port("APURI_GATEWAY_PORT", 8080),
            host=env.get("APURI_GATEWAY_HOST") or "0.0.0.0",
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            actions_url=f"http://127.0.0.1:{actions_port}",
            rasa_token=settings.rasa_token(),
            telegram_token=settings.telegram_token(),
            telegram_api_url=(env.get("TELEGRAM_API_URL") or cls.telegram_api_url).rstrip("/"),
            telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL", ""),
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
            smtp_url=settings.smtp_url(),
            retention_days=settings.retention_days(),
            mail_from=env.get("APURI_MAIL_FROM", ""),
            secret=settings.secret(),
            trusted_proxies=settings.trusted_proxies(),
            embed_origins=settings.embed_origins(),
        )
