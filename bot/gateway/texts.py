"""Every Finnish sentence the gateway itself says: errors at the edge and "no answer now"."""

from __future__ import annotations

from bot import finnish
from bot.fallback import general_contact

EMPTY = "Kirjoita viesti ennen kuin lähetät sen."
TOO_LONG = "Viesti on liian pitkä. Kirjoita enintään {limit} merkkiä."
NOT_JSON = "Viesti ei ole oikeassa muodossa. Lähetä JSON: conversation ja text."
NOT_UTF8 = "Viestin merkistö ei ole UTF-8. Kirjoita viesti uudelleen."
BAD_CONVERSATION = (
    "Keskustelun tunnus puuttuu tai on väärän muotoinen: enintään 64 kirjainta, numeroa, - tai _."
)
BODY_TOO_LARGE = "Pyyntö on liian suuri."
NOT_FOUND = "Sivua ei löytynyt."
CHOOSE = "Valitse:"  # buttons with no text of their own
SLOW_DOWN = "Lähetit monta viestiä peräkkäin. Odota hetki ja kirjoita sitten uudelleen."


def unavailable() -> str:
    """Rasa or the action server does not answer: the general number instead of silence."""
    person = general_contact()
    phone = finnish.normalize_phone(person["phone"] or "")
    spoken = finnish.format_phone_for_speech(phone) if phone else person["phone"]
    return (
        "Apuri ei juuri nyt pysty vastaamaan. "
        f"Soita {person['name']}, puh. {spoken}. Hätätilanteessa soita 112."
    )
