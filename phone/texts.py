"""What the phone line says: short sentences for the ear, keys named as words ("paina
ykköstä"). Fixed prompts are synthesised once at start and cached; the rest is built here from
directory records, never deep inside the call's logic."""

from __future__ import annotations

import difflib
import re
from typing import Any

import finnish
from finnish.forms import allative

GREETING = (
    "Hei, täällä Apuri, järjestöjen ja palvelujen neuvoja. "
    "Voit puhua tai painaa näppäimiä. "
    "Ihmisen saat milloin vain painamalla nollaa."
)
ASK_PLACE = "Mistä kunnasta soitat? Sano kunnan nimi, tai näppäile postinumero."
CONFIRM_PLACE = "{place}. Jos oikein, paina ykköstä tai sano kyllä. Jos väärin, paina kakkosta."
UNKNOWN_POSTAL = "En tunne postinumeroa {digits}."
ASK_NEED = (
    "Mitä asiaa sinulla on? Kerro omin sanoin. "
    "Tai paina: yksi, yhdistykset ja harrastukset. Kaksi, digituki. "
    "Kolme, palvelut. Neljä, tapahtumat. Nolla, ihminen."
)
NOT_UNDERSTOOD = "Anteeksi, en saanut selvää."
NOTHING_HEARD = "En kuullut mitään."
TRY_AGAIN = "Yritetään uudestaan."
GIVE_UP = "Yhdistän sinut ihmiselle."
FOUND_ONE = "Löysin tämän:"
FOUND = "Löysin nämä:"
NOTHING_FOUND = "En löytänyt tähän suoraan vastausta."
WHO_HELPS = "Tässä asiassa auttaa"
OFFER_TRANSFER = "Yhdistänkö sinut nyt {name}? Paina ykköstä tai sano kyllä."
OFFER_CALLBACK = (
    "{first} ei vastaa juuri nyt. Haluatko, että hän soittaa sinulle tähän numeroon? "
    "Paina ykköstä tai sano kyllä."
)
ANYTHING_ELSE = "Voit kysyä jotain muuta, tai lopettaa puhelun. Ihmisen saat nollalla."
TRANSFERRING = "Yhdistän. Hetkinen."
TRANSFER_FAILED = "Yhdistäminen ei onnistunut."
CONFIRM_NUMBER = (
    "Soittopyyntö numeroon {number}. Jos oikein, paina ykköstä. "
    "Toisen numeron voit näppäillä ja painaa lopuksi risuaitaa."
)
ASK_NUMBER = "Näppäile puhelinnumerosi ja paina lopuksi risuaitaa."
BAD_NUMBER = "Numero ei kelpaa."
ASK_TIME = "Milloin sinulle sopii? Sano aika, tai paina ykköstä, jos mikä tahansa aika sopii."
CALLBACK_SAVED = "Kiitos. Pyyntö on tallennettu. {first} soittaa sinulle {when}."
ANY_TIME = "mahdollisimman pian"
CALLBACK_UNSAVED = "Pyyntöä ei voitu nyt tallentaa. Soita numeroon {number}, {name}."
GOODBYE = "Kiitos soitosta. Hei hei."
EMERGENCY = (
    "Jos joku on hengenvaarassa, lopeta tämä puhelu ja soita heti hätänumeroon 112. "
    "Tästä puhelusta et saa hätäkeskusta, ja hätäkeskus näkee sijaintisi vain, kun soitat itse."
)
CRISIS = "Et ole yksin. MIELI Kriisipuhelin vastaa joka päivä, ympäri vuorokauden: 09 2525 0111."
CRISIS_AGAIN = "Numero vielä kerran: 09 2525 0111. Jos olet välittömässä vaarassa, soita 112."
OFFER_CRISIS = "Jos haluat, yhdistän sinut Kriisipuhelimeen. Paina ykköstä."
DOWN = (
    "Palvelussa on nyt häiriö, enkä pysty vastaamaan. "
    "Ihmisen tavoitat numerosta {number}, {name}. Paina nollaa, niin yhdistän sinut."
)
CRISIS_LINE = "+358925250111"

# Fixed prompts: synthesised once when the line starts.
PROMPTS = (
    GREETING,
    ASK_PLACE,
    ASK_NEED,
    NOT_UNDERSTOOD,
    NOTHING_HEARD,
    TRY_AGAIN,
    GIVE_UP,
    NOTHING_FOUND,
    ANYTHING_ELSE,
    TRANSFERRING,
    TRANSFER_FAILED,
    ASK_NUMBER,
    BAD_NUMBER,
    ASK_TIME,
    GOODBYE,
    EMERGENCY,
    CRISIS,
    CRISIS_AGAIN,
    OFFER_CRISIS,
)

YES = {"kyllä", "kyl", "joo", "juu", "jep", "oikein", "totta", "ok", "okei", "selvä"}
NO = {"ei", "en", "väärin", "eikä", "ää"}
REPEAT = {"toista", "toistaa", "uudestaan", "uudelleen", "mitä", "anteeksi"}
YES_NO = ("kyllä", "ei", "toista")  # what the recogniser is told a yes-or-no answer holds


def _words(text: str) -> list[str]:
    return [w.strip(".,!?…").lower() for w in text.split()]


def _single(word: str) -> str:
    """Letters said long, as recognisers write them ("Jooo", "kylllä"), said once."""
    return re.sub(r"(.)\1+", r"\1", word)


_YES = {_single(w) for w in YES} - {"jo", "ju"}  # "jo" is a word of its own ("already")
_NO = {_single(w) for w in NO}


def says_yes(text: str) -> bool | None:
    """True for "kyllä" (also as speech recognition bends it: "kylä", "kylllä", "Jooo"),
    False for "ei", None when neither is said among the first words."""
    words = _words(text)
    for word in words[:5]:
        single = _single(word)
        if single in _YES or re.fullmatch(r"joo+|juu+", word):
            return True
        if difflib.SequenceMatcher(None, word, "kyllä").ratio() >= 0.8:
            return True
        if single in _NO:
            return False
    if [_single(w) for w in words] == ["jo"]:  # "joo" alone, heard short
        return True
    return None


def asks_repeat(text: str) -> bool:
    words = _words(text)
    return bool(words) and len(words) <= 3 and any(w in REPEAT for w in words)


def spoken_number(e164: str) -> str:
    """A phone number grouped for reading aloud: "040 123 4567"."""
    return finnish.format_phone_for_speech(e164)


def record(n: int, rec: dict[str, Any], count: int) -> str:
    """One found record read aloud: its number in the list, name, place and one phone."""
    name = rec.get("name") or rec.get("title") or ""
    places = rec.get("municipalities") or [rec.get("municipality") or ""]
    place = next((p for p in places if p), "")
    line = f"{name}, {place}" if place and place not in name else name
    phone = finnish.normalize_phone(rec.get("phone") or "")
    if phone:
        line += f", puhelin {spoken_number(phone)}"
    prefix = f"{('Yksi', 'Kaksi')[n]}. " if count > 1 else ""
    return f"{prefix}{line}."


def found(records: list[dict[str, Any]]) -> str:
    """At most two records, numbered in words."""
    shown = records[:2]
    intro = FOUND_ONE if len(shown) == 1 else FOUND
    return " ".join([intro, *(record(n, r, len(shown)) for n, r in enumerate(shown))])


def offer(person: dict[str, Any], transfer: bool) -> str:
    """Put through now, or a callback when the person does not take calls now."""
    name = person.get("name") or ""
    if transfer:
        return OFFER_TRANSFER.format(name=allative(name))
    return OFFER_CALLBACK.format(first=name.split()[0] if name else "Neuvoja")


def person_line(person: dict[str, Any]) -> str:
    name = person.get("name") or ""
    title = person.get("title") or ""
    return f"{name}, {title}." if title else f"{name}."


def down(contact: dict[str, Any]) -> str:
    phone = finnish.normalize_phone(contact.get("phone") or "")
    number = spoken_number(phone) if phone else contact.get("phone", "")
    return DOWN.format(number=number, name=contact.get("name") or "")
