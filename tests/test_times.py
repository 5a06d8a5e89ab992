"""finnish.times: callback times in written and spoken Finnish, against a fixed clock.

Each table row is what a person writes or says, the window it means (start, end) and how Apuri
reads it back. Times are "MM-DD HH:MM" in 2026 or "YYYY-MM-DD HH:MM", Helsinki wall clock.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

import pytest

from core import clock
from finnish import When, parse_time

HELSINKI = clock.HELSINKI
MONDAY = dt.datetime(2026, 11, 30, 8, 0, tzinfo=HELSINKI)  # a Monday morning
FRIDAY = dt.datetime(2026, 12, 4, 18, 0, tzinfo=HELSINKI)  # a Friday evening
SUNDAY = dt.datetime(2026, 12, 6, 12, 0, tzinfo=HELSINKI)  # a Sunday noon


def _moment(value: str) -> dt.datetime:
    """ "12-01 09:00" (in 2026) or "2027-02-10 18:00" as a Helsinki time."""
    if len(value) == len("12-01 09:00"):
        value = f"2026-{value}"
    return dt.datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=HELSINKI)


@pytest.fixture
def monday() -> Iterator[dt.datetime]:
    """The clock fixed on Monday 30.11.2026 at 8.00; let go afterwards."""
    clock.set_now(MONDAY)
    yield MONDAY
    clock.set_now(None)


@pytest.fixture
def friday() -> Iterator[dt.datetime]:
    """The clock fixed on Friday 4.12.2026 at 18.00, after office hours."""
    clock.set_now(FRIDAY)
    yield FRIDAY
    clock.set_now(None)


@pytest.fixture
def sunday() -> Iterator[dt.datetime]:
    """The clock fixed on Sunday 6.12.2026 at noon."""
    clock.set_now(SUNDAY)
    yield SUNDAY
    clock.set_now(None)


ON_MONDAY = [
    # days
    ("huomenna", "12-01 09:00", "12-01 16:00", "huomenna tiistaina 1.12. klo 9–16"),
    ("ylihuomenna", "12-02 09:00", "12-02 16:00", "ylihuomenna keskiviikkona 2.12. klo 9–16"),
    ("tänään", "11-30 09:00", "11-30 16:00", "tänään klo 9–16"),
    ("Tänään.", "11-30 09:00", "11-30 16:00", "tänään klo 9–16"),
    ("huomena", "12-01 09:00", "12-01 16:00", "huomenna tiistaina 1.12. klo 9–16"),
    ("huomnna", "12-01 09:00", "12-01 16:00", "huomenna tiistaina 1.12. klo 9–16"),
    ("soitelkaa huomenna", "12-01 09:00", "12-01 16:00", "huomenna tiistaina 1.12. klo 9–16"),
    (
        "hyvää iltaa, soitatteko huomenna",
        "12-01 09:00",
        "12-01 16:00",
        "huomenna tiistaina 1.12. klo 9–16",
    ),
    ("huomenna tai ylihuomenna", "12-01 09:00", "12-01 16:00", "huomenna tiistaina 1.12. klo 9–16"),
    # now
    ("heti", "11-30 08:00", "11-30 09:00", "mahdollisimman pian"),
    ("nyt", "11-30 08:00", "11-30 09:00", "mahdollisimman pian"),
    ("mahdollisimman pian", "11-30 08:00", "11-30 09:00", "mahdollisimman pian"),
    ("Mahdollisimman pian!", "11-30 08:00", "11-30 09:00", "mahdollisimman pian"),
    ("nyt heti", "11-30 08:00", "11-30 09:00", "mahdollisimman pian"),
    ("heti kun voitte", "11-30 08:00", "11-30 09:00", "mahdollisimman pian"),
    ("milloin vain", "11-30 08:00", "11-30 09:00", "mahdollisimman pian"),
    # parts of the day
    ("tänään iltapäivällä", "11-30 12:00", "11-30 16:00", "tänään klo 12–16"),
    ("tanaan iltapaivalla", "11-30 12:00", "11-30 16:00", "tänään klo 12–16"),
    ("huomenna aamupäivällä", "12-01 09:00", "12-01 12:00", "huomenna tiistaina 1.12. klo 9–12"),
    ("huomenna aamulla", "12-01 08:00", "12-01 10:00", "huomenna tiistaina 1.12. klo 8–10"),
    ("huomen aamulla", "12-01 08:00", "12-01 10:00", "huomenna tiistaina 1.12. klo 8–10"),
    ("huomisaamuna", "12-01 08:00", "12-01 10:00", "huomenna tiistaina 1.12. klo 8–10"),
    (
        "soittakaa mulle huomenna aamupäivästä",
        "12-01 09:00",
        "12-01 12:00",
        "huomenna tiistaina 1.12. klo 9–12",
    ),
    ("illalla", "11-30 17:00", "11-30 20:00", "tänään klo 17–20"),
    ("illal", "11-30 17:00", "11-30 20:00", "tänään klo 17–20"),
    ("tänä iltana", "11-30 17:00", "11-30 20:00", "tänään klo 17–20"),
    ("iltapäivällä", "11-30 12:00", "11-30 16:00", "tänään klo 12–16"),
    ("iltapaivalla", "11-30 12:00", "11-30 16:00", "tänään klo 12–16"),
    ("aamupäivällä", "11-30 09:00", "11-30 12:00", "tänään klo 9–12"),
    ("aamupäiväl", "11-30 09:00", "11-30 12:00", "tänään klo 9–12"),
    ("päivällä", "11-30 11:00", "11-30 14:00", "tänään klo 11–14"),
    ("hyvää huomenta soittakaa iltapäivällä", "11-30 12:00", "11-30 16:00", "tänään klo 12–16"),
    # weeks
    ("ensi viikolla", "12-07 09:00", "12-07 16:00", "maanantaina 7.12. klo 9–16"),
    ("joskus ensi viikolla", "12-07 09:00", "12-07 16:00", "maanantaina 7.12. klo 9–16"),
    ("ensi viikolla aamupäivällä", "12-07 09:00", "12-07 12:00", "maanantaina 7.12. klo 9–12"),
    (
        "tällä viikolla",
        "11-30 09:00",
        "12-04 16:00",
        "tällä viikolla viimeistään perjantaina 4.12. klo 16",
    ),
    # weekdays: the next such day, never today; "ensi" is next week's
    ("maanantaina", "12-07 09:00", "12-07 16:00", "maanantaina 7.12. klo 9–16"),
    ("maanantai", "12-07 09:00", "12-07 16:00", "maanantaina 7.12. klo 9–16"),
    ("ensi maanantaina", "12-07 09:00", "12-07 16:00", "maanantaina 7.12. klo 9–16"),
    ("maanantaiaamuna", "12-07 08:00", "12-07 10:00", "maanantaina 7.12. klo 8–10"),
    ("maanantaina iltapäivällä", "12-07 12:00", "12-07 16:00", "maanantaina 7.12. klo 12–16"),
    ("tiistaina klo 10", "12-01 10:00", "12-01 11:00", "huomenna tiistaina 1.12. klo 10"),
    ("tiistai-iltana", "12-01 17:00", "12-01 20:00", "huomenna tiistaina 1.12. klo 17–20"),
    ("ke", "12-02 09:00", "12-02 16:00", "ylihuomenna keskiviikkona 2.12. klo 9–16"),
    (
        "keskiviikkoiltapäivällä",
        "12-02 12:00",
        "12-02 16:00",
        "ylihuomenna keskiviikkona 2.12. klo 12–16",
    ),
    (
        "keskiviikkona klo 12-14",
        "12-02 12:00",
        "12-02 14:00",
        "ylihuomenna keskiviikkona 2.12. klo 12–14",
    ),
    ("torstaina kympiltä", "12-03 10:00", "12-03 11:00", "torstaina 3.12. klo 10"),
    (
        "vaikka torstaina kahden ja neljän välillä",
        "12-03 14:00",
        "12-03 16:00",
        "torstaina 3.12. klo 14–16",
    ),
    ("perjantaina aamupäivällä", "12-04 09:00", "12-04 12:00", "perjantaina 4.12. klo 9–12"),
    ("perjantaiaamupäivällä", "12-04 09:00", "12-04 12:00", "perjantaina 4.12. klo 9–12"),
    ("perjantaina klo 14", "12-04 14:00", "12-04 15:00", "perjantaina 4.12. klo 14"),
    ("tänä perjantaina", "12-04 09:00", "12-04 16:00", "perjantaina 4.12. klo 9–16"),
    ("ensi perjantaina", "12-11 09:00", "12-11 16:00", "pe 11.12. klo 9–16"),
    ("ensi viikon tiistaina", "12-08 09:00", "12-08 16:00", "ti 8.12. klo 9–16"),
    ("ens viikol tiistaina", "12-08 09:00", "12-08 16:00", "ti 8.12. klo 9–16"),
    ("ensi viikolla torstaina klo 14", "12-10 14:00", "12-10 15:00", "to 10.12. klo 14"),
    ("la", "12-05 09:00", "12-05 16:00", "lauantaina 5.12. klo 9–16"),
    ("su klo 12", "12-06 12:00", "12-06 13:00", "sunnuntaina 6.12. klo 12"),
    ("ma klo 10", "12-07 10:00", "12-07 11:00", "maanantaina 7.12. klo 10"),
    (
        "tiistaina tai keskiviikkona",
        "12-01 09:00",
        "12-01 16:00",
        "huomenna tiistaina 1.12. klo 9–16",
    ),
    # dates; a date and a weekday that disagree: the date wins, the text says the real day
    ("10.2.", "2027-02-10 09:00", "2027-02-10 16:00", "ke 10.2. klo 9–16"),
    ("10.2", "2027-02-10 09:00", "2027-02-10 16:00", "ke 10.2. klo 9–16"),
    ("10.2.2027", "2027-02-10 09:00", "2027-02-10 16:00", "ke 10.2. klo 9–16"),
    ("10.2.27", "2027-02-10 09:00", "2027-02-10 16:00", "ke 10.2. klo 9–16"),
    ("10.2. klo 18", "2027-02-10 18:00", "2027-02-10 19:00", "ke 10.2. klo 18"),
    ("10.2 klo 18", "2027-02-10 18:00", "2027-02-10 19:00", "ke 10.2. klo 18"),
    ("ti 10.2. klo 18", "2027-02-10 18:00", "2027-02-10 19:00", "ke 10.2. klo 18"),
    ("kymmenes helmikuuta", "2027-02-10 09:00", "2027-02-10 16:00", "ke 10.2. klo 9–16"),
    ("kymmenentenä helmikuuta", "2027-02-10 09:00", "2027-02-10 16:00", "ke 10.2. klo 9–16"),
    ("helmikuun 10. päivä", "2027-02-10 09:00", "2027-02-10 16:00", "ke 10.2. klo 9–16"),
    ("2. joulukuuta", "12-02 09:00", "12-02 16:00", "ylihuomenna keskiviikkona 2.12. klo 9–16"),
    ("2 joulukuuta", "12-02 09:00", "12-02 16:00", "ylihuomenna keskiviikkona 2.12. klo 9–16"),
    (
        "joulukuun toisena päivänä",
        "12-02 09:00",
        "12-02 16:00",
        "ylihuomenna keskiviikkona 2.12. klo 9–16",
    ),
    ("1.12 kello 13", "12-01 13:00", "12-01 14:00", "huomenna tiistaina 1.12. klo 13"),
    ("tiistaina 1.12. kello 9", "12-01 09:00", "12-01 10:00", "huomenna tiistaina 1.12. klo 9"),
    ("pe 4.12.", "12-04 09:00", "12-04 16:00", "perjantaina 4.12. klo 9–16"),
    ("la 5.12 klo 12", "12-05 12:00", "12-05 13:00", "lauantaina 5.12. klo 12"),
    ("10. päivä", "12-10 09:00", "12-10 16:00", "to 10.12. klo 9–16"),
    ("30.11.", "11-30 09:00", "11-30 16:00", "tänään klo 9–16"),
    ("10.10", "2027-10-10 09:00", "2027-10-10 16:00", "su 10.10.2027 klo 9–16"),
    ("29.2.", "2028-02-29 09:00", "2028-02-29 16:00", "ti 29.2.2028 klo 9–16"),
    # clock times
    ("klo 10", "11-30 10:00", "11-30 11:00", "tänään klo 10"),
    ("kello 10", "11-30 10:00", "11-30 11:00", "tänään klo 10"),
    ("klo10", "11-30 10:00", "11-30 11:00", "tänään klo 10"),
    ("klo 9.30", "11-30 09:30", "11-30 10:30", "tänään klo 9.30"),
    ("klo 9:30", "11-30 09:30", "11-30 10:30", "tänään klo 9.30"),
    ("klo 9 30", "11-30 09:30", "11-30 10:30", "tänään klo 9.30"),
    ("klo 930", "11-30 09:30", "11-30 10:30", "tänään klo 9.30"),
    ("klo 14.30", "11-30 14:30", "11-30 15:30", "tänään klo 14.30"),
    ("klo 8", "11-30 08:00", "11-30 09:00", "tänään klo 8"),
    ("klo 23.59", "11-30 23:59", "12-01 00:59", "tänään klo 23.59"),
    ("kymmeneltä", "11-30 10:00", "11-30 11:00", "tänään klo 10"),
    ("yhdeltätoista", "11-30 11:00", "11-30 12:00", "tänään klo 11"),
    ("kaheltatoista", "11-30 12:00", "11-30 13:00", "tänään klo 12"),
    ("kahdeksalta", "11-30 08:00", "11-30 09:00", "tänään klo 8"),
    ("yheltä", "11-30 13:00", "11-30 14:00", "tänään klo 13"),
    ("kolmelt", "11-30 15:00", "11-30 16:00", "tänään klo 15"),
    ("kahdelta iltapäivällä", "11-30 14:00", "11-30 15:00", "tänään klo 14"),
    ("seitsemältä illalla", "11-30 19:00", "11-30 20:00", "tänään klo 19"),
    (
        "huomenna illalla seitsemältä",
        "12-01 19:00",
        "12-01 20:00",
        "huomenna tiistaina 1.12. klo 19",
    ),
    ("kahdelta yöllä", "12-01 02:00", "12-01 03:00", "huomenna tiistaina 1.12. klo 2"),
    ("kuudelta aamulla", "12-01 06:00", "12-01 07:00", "huomenna tiistaina 1.12. klo 6"),
    ("puoli kolme", "11-30 14:30", "11-30 15:30", "tänään klo 14.30"),
    ("puoli yksi", "11-30 12:30", "11-30 13:30", "tänään klo 12.30"),
    (
        "huomenna aamulla puoli yhdeksän",
        "12-01 08:30",
        "12-01 09:30",
        "huomenna tiistaina 1.12. klo 8.30",
    ),
    ("vartin yli kymmenen", "11-30 10:15", "11-30 11:15", "tänään klo 10.15"),
    ("varttia vaille kaksi", "11-30 13:45", "11-30 14:45", "tänään klo 13.45"),
    ("kymmentä yli kolme", "11-30 15:10", "11-30 16:10", "tänään klo 15.10"),
    ("viittä vaille yhdeksän", "11-30 08:55", "11-30 09:55", "tänään klo 8.55"),
    ("kello kaksi", "11-30 14:00", "11-30 15:00", "tänään klo 14"),
    ("kymmenen aikaan", "11-30 10:00", "11-30 11:00", "tänään klo 10"),
    ("huomenna kahden maissa", "12-01 14:00", "12-01 15:00", "huomenna tiistaina 1.12. klo 14"),
    ("huomenna 10", "12-01 10:00", "12-01 11:00", "huomenna tiistaina 1.12. klo 10"),
    ("huomenna 10.10", "12-01 10:10", "12-01 11:10", "huomenna tiistaina 1.12. klo 10.10"),
    ("soita 10", "11-30 10:00", "11-30 11:00", "tänään klo 10"),
    ("klo 10 huomenna", "12-01 10:00", "12-01 11:00", "huomenna tiistaina 1.12. klo 10"),
    (
        "ylihuomenna kolmelta",
        "12-02 15:00",
        "12-02 16:00",
        "ylihuomenna keskiviikkona 2.12. klo 15",
    ),
    (
        "ylihuomenna klo 8.15",
        "12-02 08:15",
        "12-02 09:15",
        "ylihuomenna keskiviikkona 2.12. klo 8.15",
    ),
    (
        "Voisitteko soittaa huomenna klo 10?",
        "12-01 10:00",
        "12-01 11:00",
        "huomenna tiistaina 1.12. klo 10",
    ),
    ("huomenna tähän aikaan", "12-01 08:00", "12-01 09:00", "huomenna tiistaina 1.12. klo 8"),
    # windows between two times, after and before a time
    ("9-12", "11-30 09:00", "11-30 12:00", "tänään klo 9–12"),
    ("klo 13–15", "11-30 13:00", "11-30 15:00", "tänään klo 13–15"),
    ("klo 1-3", "11-30 13:00", "11-30 15:00", "tänään klo 13–15"),
    ("klo 10-12", "11-30 10:00", "11-30 12:00", "tänään klo 10–12"),
    ("klo 8.00-10.00", "11-30 08:00", "11-30 10:00", "tänään klo 8–10"),
    ("9.30-11", "11-30 09:30", "11-30 11:00", "tänään klo 9.30–11"),
    ("huomenna klo 9-12", "12-01 09:00", "12-01 12:00", "huomenna tiistaina 1.12. klo 9–12"),
    ("10-12 välillä", "11-30 10:00", "11-30 12:00", "tänään klo 10–12"),
    ("kymmenen ja kahdentoista välillä", "11-30 10:00", "11-30 12:00", "tänään klo 10–12"),
    ("kahdeksan ja yhdeksän välillä", "11-30 08:00", "11-30 09:00", "tänään klo 8–9"),
    ("kymmenestä kahteentoista", "11-30 10:00", "11-30 12:00", "tänään klo 10–12"),
    ("10:stä 12:een", "11-30 10:00", "11-30 12:00", "tänään klo 10–12"),
    ("klo 10 tai 11", "11-30 10:00", "11-30 12:00", "tänään klo 10–12"),
    ("tänään iltapäivällä klo 14-15", "11-30 14:00", "11-30 15:00", "tänään klo 14–15"),
    ("kahden jälkeen", "11-30 14:00", "11-30 16:00", "tänään klo 14–16"),
    ("klo 12 jälkeen", "11-30 12:00", "11-30 16:00", "tänään klo 12–16"),
    ("aikaisintaan klo 10", "11-30 10:00", "11-30 16:00", "tänään klo 10–16"),
    (
        "huomenna joskus kymmenen jälkeen",
        "12-01 10:00",
        "12-01 16:00",
        "huomenna tiistaina 1.12. klo 10–16",
    ),
    ("iltapäivällä kolmen jälkeen", "11-30 15:00", "11-30 16:00", "tänään klo 15–16"),
    ("ennen kahta", "11-30 09:00", "11-30 14:00", "tänään klo 9–14"),
    ("huomenna ennen kahta", "12-01 09:00", "12-01 14:00", "huomenna tiistaina 1.12. klo 9–14"),
    ("kolmeen mennessä", "11-30 09:00", "11-30 15:00", "tänään klo 9–15"),
    ("viimeistään klo 12", "11-30 09:00", "11-30 12:00", "tänään klo 9–12"),
    # from now
    ("tunnin päästä", "11-30 09:00", "11-30 10:00", "tänään klo 9"),
    ("kahden tunnin päästä", "11-30 10:00", "11-30 11:00", "tänään klo 10"),
    ("puolen tunnin päästä", "11-30 08:30", "11-30 09:30", "tänään klo 8.30"),
    ("puolentoista tunnin päästä", "11-30 09:30", "11-30 10:30", "tänään klo 9.30"),
    ("1,5 tunnin päästä", "11-30 09:30", "11-30 10:30", "tänään klo 9.30"),
    ("parin tunnin päästä", "11-30 10:00", "11-30 11:00", "tänään klo 10"),
    ("2h päästä", "11-30 10:00", "11-30 11:00", "tänään klo 10"),
    ("15 min päästä", "11-30 08:15", "11-30 09:15", "tänään klo 8.15"),
    ("vartin päästä", "11-30 08:15", "11-30 09:15", "tänään klo 8.15"),
    ("kahdenkymmenen minuutin päästä", "11-30 08:20", "11-30 09:20", "tänään klo 8.20"),
    ("tunnin sisällä", "11-30 08:00", "11-30 09:00", "tänään klo 8–9"),
    ("viikon päästä", "12-07 09:00", "12-07 16:00", "maanantaina 7.12. klo 9–16"),
    ("kahden viikon päästä", "12-14 09:00", "12-14 16:00", "ma 14.12. klo 9–16"),
    ("kolmen päivän päästä", "12-03 09:00", "12-03 16:00", "torstaina 3.12. klo 9–16"),
    (
        "parin päivän päästä",
        "12-02 09:00",
        "12-02 16:00",
        "ylihuomenna keskiviikkona 2.12. klo 9–16",
    ),
    ("kuukauden päästä", "12-30 09:00", "12-30 16:00", "ke 30.12. klo 9–16"),
    # spoken, as speech to text writes it
    ("kello viisitoista kolmekymmentä", "11-30 15:30", "11-30 16:30", "tänään klo 15.30"),
    ("kello puoli yksitoista", "11-30 10:30", "11-30 11:30", "tänään klo 10.30"),
    (
        "ensi viikon maanantaina kello yhdeksän",
        "12-07 09:00",
        "12-07 10:00",
        "maanantaina 7.12. klo 9",
    ),
    ("torstaina kello kolme", "12-03 15:00", "12-03 16:00", "torstaina 3.12. klo 15"),
    ("kello yhdeksän illalla", "11-30 21:00", "11-30 22:00", "tänään klo 21"),
    ("illalla kuuden jälkeen", "11-30 18:00", "11-30 20:00", "tänään klo 18–20"),
    ("ennen yhdeksää", "11-30 08:00", "11-30 09:00", "tänään klo 8–9"),
    ("seitsemältä", "12-01 07:00", "12-01 08:00", "huomenna tiistaina 1.12. klo 7"),
    ("kahen jälkee", "11-30 14:00", "11-30 16:00", "tänään klo 14–16"),
    ("puoliltapäivin", "11-30 11:00", "11-30 14:00", "tänään klo 11–14"),
    ("kahdeskymmenesensimmäinen joulukuuta", "12-21 09:00", "12-21 16:00", "ma 21.12. klo 9–16"),
    ("mä oon töissä mut soita illalla", "11-30 17:00", "11-30 20:00", "tänään klo 17–20"),
    ("1.12. 10.00", "12-01 10:00", "12-01 11:00", "huomenna tiistaina 1.12. klo 10"),
    # markup and noise around the words
    ("<b>huomenna</b> klo 10", "12-01 10:00", "12-01 11:00", "huomenna tiistaina 1.12. klo 10"),
    (
        "&lt;b&gt;huomenna&lt;/b&gt;",
        "12-01 09:00",
        "12-01 16:00",
        "huomenna tiistaina 1.12. klo 9–16",
    ),
    (
        "[huomenna](javascript:alert(1))",
        "12-01 09:00",
        "12-01 16:00",
        "huomenna tiistaina 1.12. klo 9–16",
    ),
    ("**HUOMENNA** kello 10!!", "12-01 10:00", "12-01 11:00", "huomenna tiistaina 1.12. klo 10"),
]

ON_FRIDAY_EVENING = [
    ("huomenna", "12-05 09:00", "12-05 16:00", "huomenna lauantaina 5.12. klo 9–16"),
    ("tänään", "12-04 18:00", "12-04 20:00", "tänään klo 18–20"),
    ("illalla", "12-04 18:00", "12-04 20:00", "tänään klo 18–20"),
    ("iltapäivällä", "12-05 12:00", "12-05 16:00", "huomenna lauantaina 5.12. klo 12–16"),
    ("aamulla", "12-05 08:00", "12-05 10:00", "huomenna lauantaina 5.12. klo 8–10"),
    ("klo 10", "12-05 10:00", "12-05 11:00", "huomenna lauantaina 5.12. klo 10"),
    ("klo 17", "12-05 17:00", "12-05 18:00", "huomenna lauantaina 5.12. klo 17"),
    ("klo 18", "12-04 18:00", "12-04 19:00", "tänään klo 18"),
    ("klo 19", "12-04 19:00", "12-04 20:00", "tänään klo 19"),
    ("tänään klo 10", "12-05 10:00", "12-05 11:00", "huomenna lauantaina 5.12. klo 10"),
    ("tänään aamulla", "12-05 08:00", "12-05 10:00", "huomenna lauantaina 5.12. klo 8–10"),
    ("ensi viikolla", "12-07 09:00", "12-07 16:00", "maanantaina 7.12. klo 9–16"),
    ("tällä viikolla", "12-07 09:00", "12-07 16:00", "maanantaina 7.12. klo 9–16"),
    ("maanantaina", "12-07 09:00", "12-07 16:00", "maanantaina 7.12. klo 9–16"),
    ("ensi maanantaina", "12-07 09:00", "12-07 16:00", "maanantaina 7.12. klo 9–16"),
    ("perjantaina", "12-11 09:00", "12-11 16:00", "perjantaina 11.12. klo 9–16"),
    ("ensi perjantaina", "12-11 09:00", "12-11 16:00", "perjantaina 11.12. klo 9–16"),
    ("lauantaina", "12-05 09:00", "12-05 16:00", "huomenna lauantaina 5.12. klo 9–16"),
    ("ensi lauantaina", "12-12 09:00", "12-12 16:00", "la 12.12. klo 9–16"),
    ("viikonloppuna", "12-05 09:00", "12-05 16:00", "huomenna lauantaina 5.12. klo 9–16"),
    ("heti", "12-04 18:00", "12-04 19:00", "mahdollisimman pian"),
    ("tunnin päästä", "12-04 19:00", "12-04 20:00", "tänään klo 19"),
    ("kolmen päivän päästä", "12-07 09:00", "12-07 16:00", "maanantaina 7.12. klo 9–16"),
    ("4.12. klo 19", "12-04 19:00", "12-04 20:00", "tänään klo 19"),
    ("4.12.", "12-04 18:00", "12-04 20:00", "tänään klo 18–20"),
    ("4.12. klo 10", "2027-12-04 10:00", "2027-12-04 11:00", "la 4.12.2027 klo 10"),
]

ON_SUNDAY = [
    ("huomenna", "12-07 09:00", "12-07 16:00", "huomenna maanantaina 7.12. klo 9–16"),
    ("tänään", "12-06 12:00", "12-06 16:00", "tänään klo 12–16"),
    ("iltapäivällä", "12-06 12:00", "12-06 16:00", "tänään klo 12–16"),
    ("päivällä", "12-06 12:00", "12-06 14:00", "tänään klo 12–14"),
    ("aamulla", "12-07 08:00", "12-07 10:00", "huomenna maanantaina 7.12. klo 8–10"),
    ("illalla", "12-06 17:00", "12-06 20:00", "tänään klo 17–20"),
    ("klo 10", "12-07 10:00", "12-07 11:00", "huomenna maanantaina 7.12. klo 10"),
    ("klo 17", "12-06 17:00", "12-06 18:00", "tänään klo 17"),
    ("ensi viikolla", "12-07 09:00", "12-07 16:00", "huomenna maanantaina 7.12. klo 9–16"),
    ("tällä viikolla", "12-07 09:00", "12-07 16:00", "huomenna maanantaina 7.12. klo 9–16"),
    ("maanantaina", "12-07 09:00", "12-07 16:00", "huomenna maanantaina 7.12. klo 9–16"),
    ("ensi maanantaina", "12-07 09:00", "12-07 16:00", "huomenna maanantaina 7.12. klo 9–16"),
    ("sunnuntaina", "12-13 09:00", "12-13 16:00", "sunnuntaina 13.12. klo 9–16"),
    ("ensi sunnuntaina", "12-13 09:00", "12-13 16:00", "sunnuntaina 13.12. klo 9–16"),
    ("lauantaina", "12-12 09:00", "12-12 16:00", "lauantaina 12.12. klo 9–16"),
    ("perjantaina", "12-11 09:00", "12-11 16:00", "perjantaina 11.12. klo 9–16"),
    ("viikonloppuna", "12-06 12:00", "12-06 16:00", "tänään klo 12–16"),
    ("tunnin päästä", "12-06 13:00", "12-06 14:00", "tänään klo 13"),
    ("viikon päästä", "12-13 09:00", "12-13 16:00", "sunnuntaina 13.12. klo 9–16"),
    ("kolmen päivän päästä", "12-09 09:00", "12-09 16:00", "keskiviikkona 9.12. klo 9–16"),
    ("tänään klo 19.30", "12-06 19:30", "12-06 20:30", "tänään klo 19.30"),
]


def _check(text: str, start: str, end: str, read_back: str) -> None:
    when = parse_time(text)
    assert when is not None, text
    assert (when.start, when.end, when.text) == (_moment(start), _moment(end), read_back), text
    assert when.start.tzinfo == HELSINKI and when.end.tzinfo == HELSINKI


@pytest.mark.parametrize(("text", "start", "end", "read_back"), ON_MONDAY)
def test_on_a_monday_morning(monday, text: str, start: str, end: str, read_back: str) -> None:
    _check(text, start, end, read_back)


@pytest.mark.parametrize(("text", "start", "end", "read_back"), ON_FRIDAY_EVENING)
def test_on_a_friday_evening(friday, text: str, start: str, end: str, read_back: str) -> None:
    _check(text, start, end, read_back)


@pytest.mark.parametrize(("text", "start", "end", "read_back"), ON_SUNDAY)
def test_on_a_sunday(sunday, text: str, start: str, end: str, read_back: str) -> None:
    _check(text, start, end, read_back)


def test_the_tables_are_large_enough() -> None:
    assert len(ON_MONDAY) >= 80
    assert len({row[0] for row in ON_MONDAY}) == len(ON_MONDAY)


@pytest.mark.parametrize(
    "now",
    [
        MONDAY,
        FRIDAY,
        SUNDAY,
        MONDAY.replace(hour=15, minute=52),
        dt.datetime(2026, 12, 31, 23, 40, tzinfo=HELSINKI),
    ],
)
def test_never_in_the_past(now: dt.datetime) -> None:
    """Whatever the hour, every expression lands on now or later, with an end after its start."""
    for text, *_ in ON_MONDAY + ON_FRIDAY_EVENING + ON_SUNDAY:
        when = parse_time(text, now)
        if when is None:  # a date-with-year or "tänään klo 8" can be over; never an error
            continue
        assert when.start.timestamp() >= now.timestamp(), (text, now)
        assert when.end.timestamp() > when.start.timestamp(), (text, now)
        assert when.start.tzinfo == HELSINKI


def test_now_argument_wins_over_the_clock(monday) -> None:
    when = parse_time("huomenna", SUNDAY)
    assert when is not None and when.start == _moment("12-07 09:00")
    naive = parse_time("huomenna", dt.datetime(2026, 12, 6, 12, 0))  # read as Helsinki time
    assert naive is not None and naive.start == _moment("12-07 09:00")


def test_the_clock_is_the_default(monday) -> None:
    assert parse_time("tunnin päästä") == When(
        _moment("11-30 09:00"), _moment("11-30 10:00"), "tänään klo 9"
    )


def test_weekday_read_back_when_the_date_is_that_day() -> None:
    """ "ti 10.2. klo 18" read back as written when 10.2. is a Tuesday (in 2026)."""
    when = parse_time("ti 10.2. klo 18", dt.datetime(2026, 2, 2, 9, 0, tzinfo=HELSINKI))
    assert when is not None
    assert (when.start, when.text) == (_moment("2026-02-10 18:00"), "ti 10.2. klo 18")


def test_today_late_in_the_evening_is_tomorrow() -> None:
    """ "tänään" after the evening window has closed moves to tomorrow's office hours."""
    when = parse_time("tänään", FRIDAY.replace(hour=19, minute=45))
    assert when is not None
    assert (when.start, when.end) == (_moment("12-05 09:00"), _moment("12-05 16:00"))
    assert when.text == "huomenna lauantaina 5.12. klo 9–16"


def test_a_window_under_way_starts_at_the_next_quarter_hour() -> None:
    when = parse_time("iltapäivällä", MONDAY.replace(hour=13, minute=7, second=30))
    assert when is not None and when.text == "tänään klo 13.15–16"
    late = parse_time("iltapäivällä", MONDAY.replace(hour=15, minute=40))
    assert late is not None and late.text == "huomenna tiistaina 1.12. klo 12–16"


def test_a_past_date_with_its_year_is_none(monday) -> None:
    assert parse_time("1.11.2026") is None
    assert parse_time("4.12.2026 klo 10", FRIDAY) is None


# -- summer time


def test_a_summer_date_has_summer_offset(monday) -> None:
    when = parse_time("10.7. klo 10")
    assert when is not None
    assert when.start == dt.datetime(2027, 7, 10, 10, 0, tzinfo=HELSINKI)
    assert when.start.utcoffset() == dt.timedelta(hours=3)
    assert when.start.isoformat() == "2027-07-10T10:00:00+03:00"
    winter = parse_time("huomenna klo 10")
    assert winter is not None and winter.start.isoformat() == "2026-12-01T10:00:00+02:00"


def test_an_hour_from_now_across_the_spring_change() -> None:
    """At 2.30 on 28.3.2027 the clocks jump from 3.00 to 4.00: an hour later is 4.30."""
    now = dt.datetime(2027, 3, 28, 2, 30, tzinfo=HELSINKI)
    when = parse_time("tunnin päästä", now)
    assert when is not None
    assert when.start.isoformat() == "2027-03-28T04:30:00+03:00"
    assert when.end - when.start == dt.timedelta(hours=1)
    assert when.text == "tänään klo 4.30"
    asap = parse_time("heti", now)
    assert asap is not None
    assert asap.end.timestamp() - asap.start.timestamp() == 3600
    assert asap.end.isoformat() == "2027-03-28T04:30:00+03:00"


def test_an_hour_from_now_across_the_autumn_change() -> None:
    """At 3.30 summer time on 25.10.2026 an hour later is 3.30 again, in winter time."""
    now = dt.datetime(2026, 10, 25, 3, 30, tzinfo=HELSINKI)  # the first 3.30, +03:00
    assert now.utcoffset() == dt.timedelta(hours=3)
    when = parse_time("tunnin päästä", now)
    assert when is not None
    assert when.start.isoformat() == "2026-10-25T03:30:00+02:00"
    assert when.start.timestamp() - now.timestamp() == 3600


def test_the_day_summer_time_starts() -> None:
    now = dt.datetime(2027, 3, 27, 12, 0, tzinfo=HELSINKI)
    when = parse_time("huomenna klo 10", now)
    assert when is not None and when.start.isoformat() == "2027-03-28T10:00:00+03:00"
    before = parse_time("huomenna aamulla", now)
    assert before is not None and before.start.isoformat() == "2027-03-28T08:00:00+03:00"


# -- what is no callback time


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "asdf",
        "kissa",
        "en tiedä",
        "ei huomenna",
        "ei väliä",
        "paitsi maanantaina",
        "eilen",
        "viime viikolla",
        "31.2.",
        "31.4.",
        "32.1.",
        "0.0.",
        "12.13.2027",
        "1.1.1999",
        "10.2.2099",
        "klo 25",
        "klo 10.75",
        "klo 10.60",
        "huomenna klo 24",
        "klo 15-14",
        "klo",
        "kello",
        "0",
        "-1",
        "kello -5",
        "asdf 10",
        "3 päivää",
        "kahden kesken",
        "yöllä",
        "ensi kuussa",
        "huomenna aamupäivällä mut ei ennen kymmentä",
        "😀😀",
        "99.99.9999",
        "1" * 50,
        "9999999.12.",
        "<script>alert(1)</script>",
        "huomenna " * 60,
        "x" * 100_000,
        "\x00\x01\x02",
    ],
)
def test_no_time_is_none(monday, text: str) -> None:
    assert parse_time(text) is None


@pytest.mark.parametrize("value", [None, 5, b"huomenna", ["huomenna"]])
def test_not_text_is_none(value) -> None:
    assert parse_time(value) is None  # type: ignore[arg-type]


def test_random_input_never_raises(monday) -> None:
    """Random pieces of time words, digits and punctuation: an answer or None, no exception."""
    pieces = [
        "klo",
        "10",
        ".",
        ":",
        "-",
        "–",
        "huomenna",
        "puoli",
        "yli",
        "vaille",
        "ja",
        "välillä",
        "ensi",
        "viikolla",
        "31.2.",
        "9.30",
        "2h",
        "päästä",
        "tunnin",
        "ei",
        "<b>",
        "&amp;",
        "ti",
        "tänä",
        "iltana",
        "1,5",
        "00",
        "24",
        "kymmeneltä",
        " ",
        "maanantaiaamuna",
        "joulukuuta",
        "kymmenes",
        "mennessä",
        "jälkeen",
        "tai",
    ]
    rng = random.Random(20261130)
    for _ in range(1500):
        text = "".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randint(1, 9)))
        when = parse_time(text)
        if when is not None:
            assert when.start.timestamp() >= MONDAY.timestamp(), text
            assert when.end.timestamp() > when.start.timestamp(), text
