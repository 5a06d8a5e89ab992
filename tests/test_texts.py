"""Finnish answer lines from directory records: dates, opening hours, phones."""

from __future__ import annotations

import datetime as dt

import pytest

from actions import texts

MONDAY_8 = dt.datetime(2026, 11, 23, 8, 0, tzinfo=texts.HELSINKI)


@pytest.mark.parametrize(
    "hours,expected",
    [
        ("Mo-Fr 07:00-15:00", "Tavoitettavissa nyt."),
        ("Mo-Fr 09:00-15:00", "Tavoitettavissa tänään klo 9."),
        ("Tu 18:00-20:00", "Tavoitettavissa huomenna klo 18."),
        ("Sa 10:30-12:00", "Tavoitettavissa seuraavan kerran lauantaina klo 10.30."),
        ("not hours", None),
        (None, None),
    ],
)
def test_reachable_now_or_next(hours, expected) -> None:
    assert texts.reachable(hours, MONDAY_8) == expected


@pytest.mark.parametrize(
    "hours,open_now",
    [
        ("Mo-Fr 07:00-15:00", True),
        ("Mo-Fr 09:00-15:00", False),
        ("not hours", False),
        (None, False),
    ],
)
def test_whether_open_now_is_decided_on_the_hours(hours, open_now: bool) -> None:
    """A live chat is offered when the hours are open, whatever sentence says so."""
    assert texts.is_open(hours, MONDAY_8) is open_now


def test_event_line_in_finnish_short_date() -> None:
    event = {
        "title": "Järjestöfoorumi",
        "start": "2027-02-10T18:00:00+02:00",
        "municipality": "Kuopio",
    }
    assert texts.event_line(event) == "ke 10.2. klo 18: Järjestöfoorumi, Kuopio."


def test_grant_line_days_left() -> None:
    grant = {"name": "Toiminta-avustus", "funder": "Kuopion kaupunki", "deadline": "2027-03-31"}
    line = texts.grant_line(grant, today=dt.date(2027, 3, 1))
    assert line == "Toiminta-avustus (Kuopion kaupunki), haku päättyy 31.3.2027, 30 päivää aikaa."


def test_person_line_names_title_phone_and_hours() -> None:
    person = {
        "name": "Maija Esimerkki",
        "title": "Järjestöyhdyshenkilö",
        "phone": "0405550102",
        "opening_hours": "Mo-Fr 07:00-15:00",
    }
    assert texts.person_line(person, MONDAY_8) == (
        "Maija Esimerkki, järjestöyhdyshenkilö, puh. 040 555 0102. Tavoitettavissa nyt."
    )


def test_organization_line_phone_first() -> None:
    org = {
        "name": "Lauluveikot",
        "municipalities": ["Kuopio"],
        "phone": "040 555 0101",
        "email": "x@example.org",
    }
    assert texts.organization_line(org, MONDAY_8) == "Lauluveikot (Kuopio), puh. 040 555 0101."


def test_a_line_names_the_asked_municipality_among_many() -> None:
    org = {"name": "Lapin hyvinvointialue", "municipalities": ["Rovaniemi", "Kemi", "Sodankylä"]}
    assert "(Sodankylä, Rovaniemi)" in texts.organization_line(texts.here_first(org, "Sodankylä"))
    assert texts.here_first(org, "Kuopio") == org
