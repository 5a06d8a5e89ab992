"""Linked Events and PTV v11 files → apuri-directory/1, validated and imported."""

from __future__ import annotations

import json

import pytest

from store.directory import Directory, validate
from store.directory.importers import linked_events, ptv
from tests.conftest import ROOT
from tests.helpers import run_cli

FIXTURES = ROOT / "tests" / "fixtures"


def load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_linked_events_with_places() -> None:
    doc = linked_events(load("linked_events_events.json"), load("linked_events_places.json"))
    assert validate(doc) == []
    events = {e["id"]: e for e in doc["events"]}
    assert set(events) == {"le:helsinki:agf3pzqtqe", "le:turku:123"}  # no start → skipped
    choir = events["le:helsinki:agf3pzqtqe"]
    assert choir["title"] == "Senioreiden kuorolaulupäivä"
    assert choir["municipality"] == "Helsinki"
    assert choir["location"] == "Oodi, Töölönlahdenkatu 4"
    assert choir["description"] == "Avoin kuorolaulupäivä eläkeläisille."
    assert set(choir["topics"]) == {"ikaantyneet", "kulttuuri"}
    assert choir["price"] == "maksuton"
    assert choir["start"].startswith("2027-02-10T16:00:00+00:00")
    clinic = events["le:turku:123"]
    assert clinic["municipality"] == "Turku" and clinic["price"] == "5 €"
    assert {s["name"] for s in doc["spaces"]} == {"Oodi", "Turun pääkirjasto"}


def test_ptv_service_locations_and_organizations() -> None:
    doc = ptv(load("ptv_v11.json"))
    assert validate(doc) == []
    orgs = {o["name"]: o for o in doc["organizations"]}
    assert set(orgs) == {"Seniorineuvonta Kuopio", "Iin kunta"}  # the e-channel is skipped
    senior = orgs["Seniorineuvonta Kuopio"]
    assert senior["municipalities"] == ["Kuopio"] and senior["region"] == "Pohjois-Savo"
    assert senior["address"] == "Suokatu 42, 70100 KUOPIO"
    assert senior["phone"] == "+358 40 555 0199"
    assert senior["opening_hours"] == "Mo-Fr 08:00-16:00; Sa 10:00-13:00"
    assert senior["topics"] == ["ikaantyneet"]
    assert senior["languages"] == ["fi", "sv"]
    assert orgs["Iin kunta"]["municipalities"] == ["Ii"]  # municipality code 139


def test_imported_records_are_found(tmp_path) -> None:
    directory = Directory(f"sqlite:///{tmp_path / 'a.db'}")
    directory.import_document(ptv(load("ptv_v11.json")))
    directory.import_document(linked_events(load("linked_events_events.json")))
    found, scope = directory.search("organizations", "Kuopio", topic="ikaantyneet")
    assert scope == "municipality" and found[0]["name"] == "Seniorineuvonta Kuopio"
    assert directory.find("events", municipality="Turku")[0]["title"] == "Digiklinikka"


@pytest.mark.parametrize("data", ["text", 42, {"unexpected": True}])
def test_wrong_shapes_are_rejected_or_empty(data) -> None:
    for convert in (linked_events, ptv):
        try:
            doc = convert(data)
        except ValueError:
            continue
        assert validate(doc) == [] and not doc.get("events") and not doc.get("organizations")


def test_cli_imports_from_open_formats(tmp_path) -> None:
    db = tmp_path / "cli.db"
    ptv_run = run_cli("import", str(FIXTURES / "ptv_v11.json"), "--from", "ptv", db=db)
    assert ptv_run.returncode == 0, ptv_run.stderr
    le_run = run_cli(
        "import",
        str(FIXTURES / "linked_events_events.json"),
        "--from",
        "linked-events",
        "--places",
        str(FIXTURES / "linked_events_places.json"),
        db=db,
    )
    assert le_run.returncode == 0, le_run.stderr
    wrong = run_cli("import", str(FIXTURES / "ptv_v11.json"), "--from", "linked-events", db=db)
    assert wrong.returncode == 2 and "nothing was written" in wrong.stderr
    assert len(Directory(f"sqlite:///{db}").export_document()["events"]) == 2
