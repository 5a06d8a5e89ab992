"""Every Finnish sentence the gateway itself says: errors at the edge and "no answer now"."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

import finnish
from bot import privacy
from bot.fallback import general_contact
from finnish import labels

DOMAIN = Path(__file__).resolve().parents[1] / "bot" / "domain.yml"


@functools.cache
def response(name: str) -> str:
    """A fixed sentence of the bot's domain (the one place for them), e.g. utter_emergency."""
    responses = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]
    return responses[name][0]["text"]


EMPTY = "Kirjoita viesti ennen kuin lähetät sen."
TOO_LONG = "Viesti on liian pitkä. Kirjoita enintään {limit} merkkiä."
NOT_JSON = "Viesti ei ole oikeassa muodossa. Lähetä JSON: conversation ja text."
NOT_UTF8 = "Viestin merkistö ei ole UTF-8. Kirjoita viesti uudelleen."
BAD_CONVERSATION = (
    "Keskustelun tunnus puuttuu tai on väärän muotoinen. Pyydä uusi tunnus: POST "
    "/api/conversations."
)
FORBIDDEN_CONVERSATION = (
    "Tätä keskustelun tunnusta ei tunneta. Aloita uusi keskustelu: lataa sivu uudelleen tai "
    "pyydä uusi tunnus (POST /api/conversations)."
)
TOO_MANY_CONVERSATIONS = (
    "Olet aloittanut monta keskustelua peräkkäin. Odota hetki ja yritä " "sitten uudelleen."
)
ENCODED_BODY = "Pakattua pyyntöä ei hyväksytä. Lähetä pyyntö pakkaamattomana."
TOO_MANY_STREAMS = "Liian monta avointa yhteyttä. Sulje muita välilehtiä ja yritä uudelleen."
BODY_TOO_LARGE = "Pyyntö on liian suuri."
WEBHOOK_FORBIDDEN = "Väärä tai puuttuva tunniste."
NOT_FOUND = "Sivua ei löytynyt."
EMERGENCY = response("utter_emergency")
CRISIS = response("utter_crisis")
FROM_USER = "Käyttäjä kirjoittaa"
LIVE_QUEUE = (
    "Viestisi on välitetty. {name} ei ole vielä liittynyt keskusteluun; "
    'olet jonossa sijalla {position}. Voit lopettaa kirjoittamalla "lopeta".'
)
LIVE_JOINED = "{name} liittyi keskusteluun. Kirjoita hänelle tähän."
LIVE_TAKEN = "Kirjattu: keskustelu on nyt auki. Kirjoita vastauksesi tähän, /lopeta päättää."
LIVE_BUSY = "Sinulla on jo keskustelu auki. Päätä se ensin kirjoittamalla /lopeta."
LIVE_GONE = "Tämä keskustelu on jo päättynyt."
LIVE_ENDED_BY_USER = "Keskustelu päättyi. Voit jatkaa Apurin kanssa."
LIVE_ENDED_BY_PERSON = "{name} päätti keskustelun. Voit jatkaa Apurin kanssa."
LIVE_YOU_ENDED = "Päätit keskustelun. Kiitos!"
LIVE_NOBODY = (
    "{name} ei ehtinyt vastata. Voit pyytää, että hän soittaa sinulle, " "tai jatkaa Apurin kanssa."
)
LIVE_TIMED_OUT = "Keskustelu päättyi, koska kukaan ei kirjoittanut vähään aikaan."
LIVE_BROKEN = "Yhteys henkilöön katkesi. Keskustelu päättyi."
SOMEONE = "Yhteyshenkilö"  # a person named in a live chat whose name is not known
MAIL_SUBJECT = "Apuri: pyyntö {handoff_id}"
TAKEN = "Kirjattu: otat tämän pyynnön."
DONE = "Kirjattu: pyyntö on hoidettu."
NOT_YOURS = "Tämä pyyntö ei ole sinulle."
STATUS_NOT_SAVED = "Tilaa ei voitu nyt tallentaa. Yritä hetken päästä uudelleen."
CHOOSE = "Valitse:"  # buttons with no text of their own
SLOW_DOWN = "Lähetit monta viestiä peräkkäin. Odota hetki ja kirjoita sitten uudelleen."

# Voice (contract §6): each way an upload can be unusable, with its HTTP status
VOICE_PROBLEMS = {
    "empty": (400, "Äänitteessä ei ollut mitään. Paina Puhu ja puhu, tai kirjoita viesti."),
    "too_big": (
        413,
        "Äänite on liian suuri: enintään 10 megatavua. Puhu lyhyemmin tai " "kirjoita viesti.",
    ),
    "too_long": (
        413,
        "Äänite on liian pitkä: enintään minuutti kerrallaan. Puhu lyhyemmin tai "
        "kirjoita viesti.",
    ),
    "unknown_format": (
        415,
        "Äänitteen muotoa ei tunnistettu. Lähetä WAV-, OGG-, WebM- tai "
        "MP3-äänite, tai kirjoita viesti.",
    ),
    "not_audio": (422, "Tiedosto ei ole toimiva äänite. Yritä uudelleen tai kirjoita viesti."),
    "silence": (
        422,
        "Äänitteessä oli vain hiljaisuutta. Puhu lähempänä mikrofonia tai " "kirjoita viesti.",
    ),
    "no_speech": (
        422,
        "En kuullut äänitteessä puhetta. Puhu selvästi lähellä mikrofonia tai " "kirjoita viesti.",
    ),
    "unclear": (
        422,
        "En saanut puheesta varmaa selvää. Sanotko uudelleen, vähän hitaammin? "
        "Voit myös kirjoittaa.",
    ),
    "busy": (
        503,
        "Puheentunnistus on juuri nyt ruuhkainen. Yritä hetken päästä uudelleen tai "
        "kirjoita viesti.",
    ),
}
VOICE_OFF = (
    "Puheen tunnistus ei ole nyt käytössä. Kirjoita kysymyksesi viestikenttään, " "niin vastaan."
)
SPEECH_OFF = "Ääneen lukeminen ei onnistu juuri nyt. Vastaus näkyy tekstinä."
SPEECH_BAD = (
    "Lähetä luettava teksti JSON-muodossa: text (1–{limit} merkkiä) ja slow (true tai " "false)."
)
SPEECH_TOO_LONG = "Teksti on liian pitkä luettavaksi kerralla. Lue se lyhyempinä osina."
SPEECH_BUSY = "Ääneen lukeminen on juuri nyt ruuhkainen. Yritä hetken päästä uudelleen."
BUSY = "Apuri on juuri nyt ruuhkainen. Yritä hetken päästä uudelleen."
# what a tag becomes when its value cannot be read back (the vault's database is down)
HIDDEN = {privacy.NUMBER_TAG: "antamasi numero", privacy.MESSAGE_TAG: "antamasi viesti"}
HEARD = "Kuulin: {text}"
VOICE_NOT_DOWNLOADED = "En saanut ääniviestiä ladattua. Lähetä se uudelleen tai kirjoita viesti."


def _general() -> str:
    person = general_contact()
    phone = finnish.normalize_phone(person["phone"] or "")
    spoken = finnish.format_phone_for_speech(phone) if phone else person["phone"]
    return f"Soita {person['name']}, puh. {spoken}. Hätätilanteessa soita 112."


def unavailable() -> str:
    """Rasa or the action server does not answer: the general number instead of silence."""
    return f"Apuri toimii juuri nyt vain osittain, enkä pysty vastaamaan tähän. {_general()}"


def partly_down() -> str:
    """The database is down: after 112 or the crisis line, a human to call as well."""
    person = general_contact()
    phone = finnish.normalize_phone(person["phone"] or "")
    spoken = finnish.format_phone_for_speech(phone) if phone else person["phone"]
    return (
        f"Apuri toimii juuri nyt vain osittain. Voit soittaa myös Apurin neuvojalle: "
        f"{person['name']}, puh. {spoken}."
    )


def private_not_kept() -> str:
    """A private answer (a callback's subject) could not be stored safely, so it went nowhere."""
    return (
        "En pysty juuri nyt tallentamaan viestiäsi turvallisesti, joten en lähettänyt sitä "
        f"eteenpäin. Kirjoita se hetken päästä uudelleen. {_general()}"
    )


def request_for_person(row: dict) -> str:
    """A request as the chosen person reads it in Telegram or e-mail."""
    kind = labels.REQUEST_KINDS["callback" if row.get("kind") == "callback" else "chat"]
    phone = finnish.normalize_phone(row.get("phone") or "")
    lines = [f"{kind} Apurista (tunnus {row['handoff_id']})"]
    if phone:
        lines.append(f"Soita: {finnish.format_phone_for_speech(phone)}")
    if row.get("preferred_text"):
        lines.append(f"Milloin: {row['preferred_text']}")
    if row.get("subject"):
        lines.append(f"Asia: {row['subject']}")
    if row.get("municipality"):
        lines.append(f"Kunta: {row['municipality']}")
    take, done = labels.BUTTONS["take"], labels.BUTTONS["done"]
    lines.append(f'Paina "{take}", kun hoidat tämän, ja "{done}", kun asia on hoidettu.')
    return "\n".join(lines)
