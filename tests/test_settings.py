"""One settings module read by every process: ports, the speech engine, which channels are
configured. The gateway and the actions decide these the same way because they ask it."""

from __future__ import annotations

import pytest

from core import settings


@pytest.mark.parametrize("raw", ["abc", "0", "70000", "-1", "80 80"])
def test_a_port_that_is_no_port_stops_with_a_clear_message(monkeypatch, raw: str) -> None:
    monkeypatch.setenv("APURI_RASA_PORT", raw)
    with pytest.raises(SystemExit, match="APURI_RASA_PORT"):
        settings.port("APURI_RASA_PORT", 5005)


def test_ports_default_and_are_read_alike_by_the_gateway(monkeypatch) -> None:
    from gateway.config import Config

    monkeypatch.delenv("APURI_RASA_PORT", raising=False)
    monkeypatch.setenv("APURI_ACTIONS_PORT", "6055")
    assert settings.port("APURI_RASA_PORT", 5005) == 5005
    assert Config.from_env().actions_url.endswith(f":{settings.port('APURI_ACTIONS_PORT', 1)}")


def test_the_speech_engine_is_chosen_once(monkeypatch) -> None:
    from gateway.speech import Speech

    monkeypatch.delenv("APURI_STT", raising=False)
    assert settings.stt_engine() == "whisper"
    monkeypatch.setenv("APURI_STT", " Vosk ")
    assert settings.stt_engine() == "vosk" == Speech().engine_name


def test_a_live_chat_needs_telegram_configured(monkeypatch) -> None:
    """The actions offer a live chat only when the gateway can reach the person."""
    from actions.people import can_chat_now

    person = {"telegram_chat_id": "123", "opening_hours": "Mo-Su 00:00-24:00"}
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert not settings.telegram_available() and not can_chat_now(person)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    assert settings.telegram_available() and can_chat_now(person)


def test_the_gateway_and_the_actions_read_the_channels_alike(monkeypatch) -> None:
    """Telegram and e-mail are configured or not for both, from the same variables."""
    from gateway.config import Config

    for token, smtp in (("", ""), ("123:abc", "smtp://127.0.0.1:2525")):
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
        monkeypatch.setenv("APURI_SMTP_URL", smtp)
        config = Config.from_env()
        assert bool(config.telegram_token) is settings.telegram_available() is bool(token)
        assert bool(config.smtp_url) is settings.email_available() is bool(smtp)
