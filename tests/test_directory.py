"""The directory store on real SQLite and PostgreSQL: validation, atomic import, upsert, export,
search with region fallback, the CLI."""

from __future__ import annotations

import copy
import json

import pytest

from store.directory import Directory, DirectoryValidationError, load_file, validate
from tests.conftest import fixture_document
from tests.helpers import run_cli


@pytest.fixture
def doc() -> dict:
    return fixture_document()


@pytest.fixture
def directory(each_database: str) -> Directory:
    """The same tests on a real SQLite file and a real PostgreSQL database."""
    return Directory(each_database)


def test_fixture_is_valid(doc) -> None:
    assert validate(doc) == []


def test_import_and_export_round_trip(directory, doc) -> None:
    counts = directory.import_document(doc)
    assert counts == {kind: len(doc[kind]) for kind in counts}
    assert set(counts) == {"organizations", "contact_persons", "events", "grants", "spaces"}
    exported = directory.export_document()
    for kind in counts:
        assert sorted(exported[kind], key=lambda r: r["id"]) == sorted(
            doc[kind], key=lambda r: r["id"]
        )


def test_find_by_municipality_topic_and_lemmatized_words(directory, doc) -> None:
    directory.import_document(doc)
    in_kuopio = [o["id"] for o in directory.find("organizations", municipality="Kuopio", limit=10)]
    assert "org-1" in in_kuopio and "org-2" not in in_kuopio
    assert [
        o["id"] for o in directory.find("organizations", topic="liikunta", municipality="Ii")
    ] == ["org-2"]
    # "kuoroja" finds "Lauluveikot — mieskuoro" through lemma and compound part
    by_words = [o["id"] for o in directory.find("organizations", text="kuoroja", limit=10)]
    assert "org-1" in by_words and "org-2" not in by_words
    in_kuopio = directory.find("organizations", text="mieskuoroa", municipality="Kuopio")
    assert [o["id"] for o in in_kuopio] == ["org-1"]
    assert directory.find("organizations", municipality="Pielavesi") == []


def test_search_falls_back_to_the_region_then_the_country(directory, doc) -> None:
    directory.import_document(doc)
    found, scope = directory.search("organizations", "Pielavesi")
    assert scope == "region" and found and all(o["region"] == "Pohjois-Savo" for o in found)
    found, scope = directory.search("organizations", "Utsjoki", topic="terveys")
    assert (scope, found) == ("none", [])
    found, scope = directory.search("organizations", "Utsjoki", topic="ikaantyneet")
    assert scope == "national" and [o["id"] for o in found] == ["org-2"]
    assert directory.search("organizations", "Utsjoki", topic="paihteet") == ([], "none")


def test_search_widens_by_place_for_the_same_topic_only(directory, doc) -> None:
    """Kitee has a sports club, a choir and a village federation: no chess club anywhere."""
    directory.import_document(doc)
    chess = [{"text": "shakkikerhoa"}]
    assert directory.search("organizations", "Kitee", alternatives=chess) == ([], "none")
    choirs = [{"text": "kuoroja"}, {"topic": "kulttuuri"}]
    found, scope = directory.search("organizations", "Kitee", alternatives=choirs)
    assert scope == "municipality" and [o["id"] for o in found] == ["org-kitee-choir"]
    # nothing in Tervo: the region of Tervo (Pohjois-Savo), never the region given before
    found, scope = directory.search("organizations", "Tervo", "Lappi", alternatives=choirs)
    assert scope == "region" and all(o["region"] == "Pohjois-Savo" for o in found)
    # a nearby match by topic comes before a distant match by words
    near = [{"text": "mieskuoro"}, {"topic": "kulttuuri"}]
    found, scope = directory.search("organizations", "Kitee", alternatives=near)
    assert scope == "municipality" and [o["id"] for o in found] == ["org-kitee-choir"]


def test_upcoming_events_and_open_grants_only(directory, doc) -> None:
    from core import clock

    directory.import_document(doc)
    events = directory.find("events", after=clock.utc_key(), limit=10)
    assert [e["id"] for e in events] == ["ev-1"]
    grants = directory.find("grants", after=clock.today().isoformat(), limit=10)
    assert [g["id"] for g in grants] == ["gr-1"]


def test_contact_person_for_a_place(directory, doc) -> None:
    directory.import_document(doc)
    assert directory.contact("Kuopio")["name"] == "Maija Esimerkki"
    assert directory.contact("Pielavesi")["name"] == "Maija Esimerkki"  # same region


def test_upsert_by_id_keeps_the_rest(directory, doc) -> None:
    directory.import_document(doc)
    renamed = {**doc["organizations"][1], "name": "Iin Seniorit ry"}
    update = {"format": "apuri-directory/1", "organizations": [renamed]}
    directory.import_document(update)
    names = {o["id"]: o["name"] for o in directory.export_document()["organizations"]}
    assert names["org-1"] == "Lauluveikot — mieskuoro" and names["org-2"] == "Iin Seniorit ry"
    assert len(names) == len(doc["organizations"])


def test_upsert_may_refer_to_stored_records(directory, doc) -> None:
    directory.import_document(doc)
    new_space = {
        "id": "sp-2",
        "name": "Sali",
        "municipality": "Kuopio",
        "booking_contact_person_id": "p-1",
    }
    directory.import_document({"format": "apuri-directory/1", "spaces": [new_space]})
    assert directory.get("spaces", "sp-2")["name"] == "Sali"


def test_replace_replaces_everything(directory, doc) -> None:
    directory.import_document(doc)
    only = {"format": "apuri-directory/1", "organizations": [doc["organizations"][1]]}
    directory.import_document(only, replace=True)
    exported = directory.export_document()
    assert [o["id"] for o in exported["organizations"]] == ["org-2"]
    assert exported["contact_persons"] == []


@pytest.mark.parametrize(
    "mutate,expected",
    [
        (
            lambda d: d["organizations"][1]["municipalities"].append("Kuopioo"),
            "organizations[1].municipalities[1]: unknown municipality 'Kuopioo'",
        ),
        (
            lambda d: d["organizations"][0]["topics"].append("kuoro"),
            "organizations[0].topics[1]: unknown topic 'kuoro'",
        ),
        (
            lambda d: d["organizations"][0].update(contact_person_id="p-404"),
            "organizations[0].contact_person_id: unknown contact person 'p-404'",
        ),
        (
            lambda d: d["organizations"][0].update(region="Savo"),
            "organizations[0].region: unknown region 'Savo'",
        ),
        (
            lambda d: d["organizations"][0].update(opening_hours="Ma-Pe 9-15"),
            "organizations[0].opening_hours: invalid opening_hours",
        ),
        (lambda d: d["organizations"][0].pop("id"), "organizations[0].id: required"),
        (
            lambda d: d["organizations"][1].update(id="org-1"),
            "organizations[1].id: duplicate id 'org-1'",
        ),
        (lambda d: d["events"][0].pop("title"), "events[0].title: required"),
        (
            lambda d: d["events"][0].update(start="10.2.2027 klo 18"),
            "events[0].start: not an ISO 8601 date and time",
        ),
        (
            lambda d: d["grants"][0].update(deadline="huomenna"),
            "grants[0].deadline: not an ISO 8601 date",
        ),
        (
            lambda d: d["spaces"][0].update(capacity="paljon"),
            "spaces[0].capacity: must be a whole number",
        ),
        (
            lambda d: d["contact_persons"][0].update(phone="soita minulle"),
            "contact_persons[0].phone: not a phone number",
        ),
        (
            lambda d: d["contact_persons"][0].update(roles=["boss"]),
            "contact_persons[0].roles[0]: unknown role 'boss'",
        ),
        (lambda d: d.update(format="apuri-directory/2"), "format: must be 'apuri-directory/1'"),
        (
            lambda d: d["organizations"][0].update(name="x" * 6000),
            "organizations[0].name: too long",
        ),
        (
            lambda d: d["organizations"][0].update(colour="red"),
            "organizations[0].colour: unknown field",
        ),
        (lambda d: d.update(organizations={"id": "x"}), "organizations: must be a list"),
        (lambda d: d["organizations"][2].update(id="o" * 201), "organizations[2].id: too long"),
    ],
)
def test_bad_documents_name_the_record_and_field_and_write_nothing(
    directory, doc, mutate, expected
):
    directory.import_document(doc)
    before = directory.export_document()
    bad = copy.deepcopy(doc)
    mutate(bad)
    with pytest.raises(DirectoryValidationError) as err:
        directory.import_document(bad)
    assert any(e.startswith(expected) for e in err.value.errors), err.value.errors
    assert directory.export_document() == before


def test_a_write_that_fails_deep_in_the_file_leaves_the_directory_unchanged(directory, doc):
    """Validation passes; the database itself refuses record 1 400 of 1 500 (a unique index
    the test adds on names), after two batches of 500 were already written in the transaction."""
    import sqlalchemy as sa

    directory.import_document(doc)
    before = directory.export_document()
    with directory.engine.begin() as conn:
        conn.execute(sa.text("CREATE UNIQUE INDEX test_unique_name ON records (kind, name)"))
    base = doc["organizations"][0]
    many = [{**base, "id": f"bulk-{i}", "name": f"Yhdistys {i}"} for i in range(1500)]
    many[1400]["name"] = many[10]["name"]  # a constraint violation deep in the file
    bulk = {**doc, "organizations": doc["organizations"] + many}
    assert validate(bulk, existing=directory.ids()) == []
    with pytest.raises(sa.exc.IntegrityError):
        directory.import_document(bulk)
    assert directory.export_document() == before
    with pytest.raises(sa.exc.IntegrityError):
        directory.import_document(bulk, replace=True)
    assert directory.export_document() == before


def test_injection_is_stored_as_text(directory, doc) -> None:
    doc["organizations"][0]["name"] = "x'); DROP TABLE records; --"
    directory.import_document(doc)
    assert directory.get("organizations", "org-1")["name"] == "x'); DROP TABLE records; --"
    assert len(directory.export_document()["organizations"]) == len(doc["organizations"])


@pytest.mark.parametrize(
    "content,message",
    [
        (b"\xff\xfe\x00\x01", "not UTF-8"),
        (b"{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"[]", "must be a JSON object"),
    ],
)
def test_bad_files(tmp_path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    try:
        document = load_file(path)
    except DirectoryValidationError as err:
        assert message in str(err)
        return
    assert any(message in e for e in validate(document))


def test_cli_import_export_and_rejection(tmp_path, doc) -> None:
    db = tmp_path / "cli.db"
    good_file = tmp_path / "good.json"
    good_file.write_text(json.dumps(doc), encoding="utf-8")
    ok = run_cli("import", str(good_file), db=db)
    assert ok.returncode == 0, ok.stderr
    bad = copy.deepcopy(doc)
    bad["organizations"][0]["municipalities"] = ["Kuopioo"]
    bad["organizations"][1]["name"] = "Muutettu nimi"
    bad_file = tmp_path / "bad.json"
    bad_file.write_text(json.dumps(bad), encoding="utf-8")
    rejected = run_cli("import", str(bad_file), db=db)
    assert rejected.returncode == 2
    assert "organizations[0].municipalities[0]: unknown municipality 'Kuopioo'" in rejected.stderr
    assert "nothing was written" in rejected.stderr
    out = tmp_path / "out.json"
    assert run_cli("export", str(out), db=db).returncode == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert {o["name"] for o in exported["organizations"]} == {
        o["name"] for o in doc["organizations"]
    }  # the rejected file changed nothing


def test_cli_missing_file(tmp_path) -> None:
    result = run_cli("import", str(tmp_path / "nope.json"), db=tmp_path / "x.db")
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_the_sample_directory_is_valid_and_its_dates_stay_upcoming() -> None:
    import datetime as dt

    from cli.main import SAMPLE_DIRECTORY, upcoming

    sample = load_file(SAMPLE_DIRECTORY)
    assert validate(sample) == []
    later = dt.date(2031, 6, 1)
    moved = upcoming(copy.deepcopy(sample), later)
    assert validate(moved) == []
    for old, new in zip(sample["events"], moved["events"], strict=True):
        start = dt.datetime.fromisoformat(new["start"])
        was = dt.datetime.fromisoformat(old["start"])
        assert start.date() >= later and start.weekday() == was.weekday()
        assert start.time() == was.time() and (start - was).days % 364 == 0
    assert all(
        dt.date.fromisoformat(g["deadline"]) >= later for g in moved["grants"] if g.get("deadline")
    )
