"""Labels shown in more than one place — the staff page, the Telegram messages to the person
who helps, and the bot's own answers — so each is written once."""

from __future__ import annotations

WEEKDAYS = ("ma", "ti", "ke", "to", "pe", "la", "su")
WEEKDAYS_ON = (  # "on Monday": "maanantaina"
    "maanantaina",
    "tiistaina",
    "keskiviikkona",
    "torstaina",
    "perjantaina",
    "lauantaina",
    "sunnuntaina",
)
REQUEST_KINDS = {"callback": "Soittopyyntö", "chat": "Keskustelupyyntö"}
STATUSES = {"open": "Avoin", "taken": "Otettu", "done": "Hoidettu"}
# what a person presses under a request, in Telegram and on the staff page
BUTTONS = {
    "take": "Otan",
    "done": "Hoidettu",
    "reopen": "Avaa uudelleen",
    "forget": "Poista henkilötiedot",
}
