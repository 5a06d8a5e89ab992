"""Every Finnish word of the staff page, in one place, so the wording can be read and changed
without reading the HTML around it. Nothing here escapes: the pages do that."""

from __future__ import annotations

import datetime as dt

from finnish import labels

# --- the frame and the login ---------------------------------------------------------------------

SITE = "Apuri – henkilökunta"
SKIP_TO_CONTENT = "Siirry sisältöön"
NAV_LABEL = "Henkilökunnan sivut"
NAV_REQUESTS, NAV_NEEDS = "Pyynnöt", "Tarpeet"
LOGGED_IN_AS = "Kirjautunut: "
LOGIN_TITLE = "Kirjaudu henkilökunnan sivulle"
USERNAME_LABEL, PASSWORD_LABEL, LOGIN_BUTTON = "Käyttäjätunnus", "Salasana", "Kirjaudu"
LOGOUT_BUTTON = "Kirjaudu ulos"
LOGIN_INTRO = (
    "Sivu on Apurin henkilökunnalle: täällä näet yhteydenottopyynnöt ja merkitset ne "
    "hoidetuiksi. Tunnuksen saat ylläpitäjältä."
)
WRONG = "Väärä tunnus tai salasana."
LOCKED = "Liian monta yritystä, yritä 15 minuutin päästä uudelleen."
MISSING = "Kirjoita käyttäjätunnus ja salasana."
BUSY = "Kirjautumisia on juuri nyt paljon. Yritä hetken päästä uudelleen."

# --- pages that say something went wrong ---------------------------------------------------------

FORBIDDEN_TITLE = "Lomake ei kelpaa"
FORBIDDEN = (
    "Lomakkeen tarkiste puuttui tai oli väärä, tai istuntosi on päättynyt. Mitään ei "
    "muutettu. Palaa henkilökunnan sivulle ja yritä uudelleen."
)
DOWN_TITLE = "Henkilökunnan sivu ei ole nyt käytettävissä"
DOWN = (
    "Tietokantaan ei juuri nyt saada yhteyttä, joten pyyntöjä ei voi näyttää eikä muuttaa. "
    "Mitään ei muutettu. Yritä muutaman minuutin päästä uudelleen."
)
BUSY_TITLE = "Henkilökunnan sivulla on nyt ruuhkaa"
BUSY_PAGE = "Pyyntöjä on juuri nyt paljon. Mitään ei muutettu. Yritä hetken päästä uudelleen."
BAD_ACTION_TITLE = "Tuntematon toiminto"
BAD_ACTION = "Pyynnölle ei voi tehdä tätä. Palaa henkilökunnan sivulle ja valitse painike."
BACK = "Takaisin henkilökunnan sivulle"

# --- the requests --------------------------------------------------------------------------------

REQUESTS_TITLE = "Yhteydenottopyynnöt"
NEEDS_LINK = "Tarpeet: mitä ihmiset tarvitsivat eivätkä saaneet"
NOTES = {  # ?ilmoitus= value → the note on the page it leads to
    "otettu": "Kirjattu: otit pyynnön hoitaaksesi.",
    "hoidettu": "Kirjattu: pyyntö on hoidettu.",
    "avattu": "Pyyntö on avattu uudelleen.",
    "poistettu": "Pyynnön henkilötiedot on poistettu.",
    "eiloydy": "Pyyntöä ei löytynyt.",
    "ulos": "Olet kirjautunut ulos.",
}
BUTTONS = labels.BUTTONS
NO_OPEN, NO_DONE = "Ei avoimia pyyntöjä.", "Ei hoidettuja pyyntöjä."
KINDS = labels.REQUEST_KINDS
STATUSES = labels.STATUSES
UNKNOWN = "ei tiedossa"
NOT_GIVEN = "ei annettu"
REMOVED = "poistettu"
NOBODY_CHOSEN = "ei valittua henkilöä"
NOT_DELIVERED = "Ei (vielä)"
# The labels of one request's facts.
STATUS_LABEL = "Tila"
KIND_LABEL = "Laji"
ARRIVED_LABEL = "Saapui"
TAKEN_LABEL = labels.STATUSES["taken"]
DONE_LABEL = labels.STATUSES["done"]
TO_WHOM_LABEL = "Kenelle"
MUNICIPALITY_LABEL = "Kunta"
TOPIC_LABEL = "Aihe"
PHONE_LABEL = "Puhelin"
WANTED_TIME_LABEL = "Toivottu aika"
SUBJECT_LABEL = "Asia"
DELIVERED_LABEL = "Välitetty"
ID_LABEL = "Tunnus"
PURGED_LABEL = "Henkilötiedot poistettu"


def active_heading(count: int) -> str:
    return f"Avoimet ja otetut ({count})"


def done_heading(count: int) -> str:
    return f"Hoidetut ({count})"


def showing_done(count: int) -> str:
    return f"Näytetään {count} viimeisintä hoidettua pyyntöä."


def delivered(at: str) -> str:
    """`at` is already HTML."""
    return f"Kyllä, {at}"


def taken_on_telegram(person: str) -> str:
    return f"{person} (Telegram)"


# --- the needs -----------------------------------------------------------------------------------

NEEDS_TITLE = "Mitä ihmiset tarvitsivat eivätkä saaneet"
NEED_KINDS = {
    "not_found": "Hakemistosta ei löytynyt mitään",
    "fallback": "Apuri ei ymmärtänyt",
    "handoff": "Ohjattiin ihmiselle",
    "feedback": "Palaute",
}
KIND_HELP = {
    "not_found": "Kysymys ymmärrettiin, mutta hakemistossa ei ollut sopivaa järjestöä, "
    "palvelua tai henkilöä.",
    "fallback": "Apuri ei saanut selvää, mitä kysyttiin.",
    "handoff": "Ihminen pyysi yhteydenottoa tai keskustelua ihmisen kanssa.",
    "feedback": "Ihminen antoi palautetta.",
}
TOPICS = {
    "liikunta": "Liikunta",
    "kulttuuri": "Kulttuuri",
    "ikaantyneet": "Ikääntyneet",
    "lapset_ja_perheet": "Lapset ja perheet",
    "nuoret": "Nuoret",
    "mielenterveys": "Mielenterveys",
    "paihteet": "Päihteet",
    "vammaiset": "Vammaiset",
    "terveys": "Terveys",
    "kylatoiminta": "Kylätoiminta",
    "omaishoito": "Omaishoito",
    "ystavatoiminta": "Ystävätoiminta",
    "maahanmuuttajat": "Maahanmuuttajat",
    "ymparisto": "Ympäristö",
    "vapaaehtoistyo": "Vapaaehtoistyö",
    "digituki": "Digituki",
}
NEEDS_INTRO = (
    "Kun Apuri ei löytänyt vastausta, ei ymmärtänyt kysymystä tai ohjasi ihmisen "
    "henkilökunnalle, se kirjasi vain viikon, kunnan, aiheen ja lajin. Viestejä tai "
    "henkilötietoja ei tallenneta tähän."
)
DOWNLOAD_CSV = "Lataa taulukko CSV-tiedostona"
NO_NEEDS = "Tarpeita ei ole vielä kirjattu."
TABLE_TITLE = "Taulukko"
TABLE_COLUMNS = ("Viikko", "Kunta", "Aihe", "Mitä tapahtui")
COUNT_COLUMN = "Määrä"
TABLE_CAPTION = "Tarpeet viikoittain, kunnittain, aiheittain ja lajeittain, uusin viikko ensin"
CHART_TITLE = "Kaavio"
CHART_NAME = "Tarpeet viikoittain yhteensä"
CSV_HEADER = ("viikko", "kunta", "aihe", "laji", "määrä")


def chart_caption(weeks: int) -> str:
    return (
        f"Tarpeet viikoittain yhteensä, enintään {weeks} viimeisintä viikkoa, "
        "vanhin ensin. Samat luvut ovat alla taulukossa."
    )


def csv_filename(day: dt.date) -> str:
    return f"apuri-tarpeet-{day.isoformat()}.csv"


# --- dates ---------------------------------------------------------------------------------------

WEEKDAYS = labels.WEEKDAYS


def time_text(moment: dt.datetime) -> str:
    """ "ke 10.2.2027 klo 18.00" """
    return (
        f"{WEEKDAYS[moment.weekday()]} {moment.day}.{moment.month}.{moment.year} "
        f"klo {moment.hour}.{moment.minute:02d}"
    )


def week_text(year: str, number: int) -> str:
    """ "viikko 5/2027" """
    return f"viikko {number}/{year}"
