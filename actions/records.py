"""Questions about one record: "milloin Kemin Kamarikuoro harjoittelee", "missä Rovaniemen
digitukipiste on", "keneltä tilan voi varata", "mikä sen puhelinnumero on", "entä toinen".

The record is the one the message names (its name inflected and shortened as people say it), or
the one it points at among what Apuri listed last ("se", "sinne", "ensimmäinen"). The answer
comes from the record's own fields (actions.texts.record_answer). Every action that may receive
such a question asks `answer_about_record` first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import finnish
from actions import texts
from actions.search import is_preferred, sort_of
from finnish.asking import (
    alike_details,
    asked_fields,
    asks_more,
    asks_yes_or_no,
    detail_words,
    is_unit,
    name_coverage,
    name_words,
    reference,
    without_phrases,
)
from store.database import StoreUnavailable
from store.directory.store import index_terms, municipalities_of

logger = logging.getLogger(__name__)

PEOPLE = "contact_persons"
NAMED = ("organizations", "events", "spaces", "grants", PEOPLE)
WITH_FIELDS = 0.6  # of a name's words when a field is asked ("kuopion eläkeläisten numero")
ALONE = 1.0  # when it asks nothing: the whole name ("kemin kamarikuoro")


def named_record(
    text: str, directory: Any, least: float = WITH_FIELDS
) -> tuple[str, dict[str, Any]] | None:
    """The one record the message names, or None (no name said, or two said alike)."""
    terms = [t for t in index_terms(text) if len(t) >= 3]
    terms += [
        t.lower()[: max(5, len(t) - 5)] + "*"
        for _, _, t in finnish.tokenize(text)
        if len(t) >= 7 and not finnish.is_known_word(t)
    ]
    if not terms:
        return None
    places = {m.lower() for m in finnish.gazetteer().municipalities}
    found = [
        (
            kind,
            record,
            *name_coverage(
                text, record.get("name") or record.get("title") or "", whole=least >= ALONE
            ),
        )
        for _, kind, record in directory.rank(terms, None, NAMED, limit=15)
    ]
    said_in = [said for _, _, _, said in found]
    asked = index_terms(text)  # a name word said as such, not as the tail of a compound
    scored = []
    for kind, record, coverage, said in found:
        # a proper name in one record's name only, no topic nor asking word ("kotoilo
        # puhelin" names "… Yhdistys Kotoilo ry", its phone asked), when a field is asked
        proper = (
            {
                finnish.lemma(w).lower()
                for _, _, w in finnish.tokenize(record.get("name") or record.get("title") or "")
                if w[:1].isupper()
            }
            if least < ALONE
            else set()
        )
        own = {
            w
            for w in said & proper - places
            if len(w) >= 6
            and w in asked
            and finnish.topic_of_word(w) is None
            and not asked_fields(w)
            and sum(w in other for other in said_in) == 1
        }
        if (coverage >= least or own) and said - places:  # a place alone names nothing
            scored.append((max(coverage, least if own else 0.0), len(said), kind, record))
    if not scored:
        return None
    scored.sort(key=lambda item: (-item[0], -item[1]))
    if len(scored) > 1 and scored[1][:2] == scored[0][:2]:
        return None  # two records named alike: a search lists them
    return scored[0][2], scored[0][3]


def named_person(text: str, directory: Any) -> dict[str, Any] | None:
    """The person the message names by first and last name ("saisinko Sanna Hyvöseen
    yhteyden", "mulla ois asiaa tiina niemiselle"): whatever else it says, it means them."""
    found = named_record(text, directory, ALONE)
    return found[1] if found is not None and found[0] == PEOPLE else None


def names_in_full(text: str, open_directory: Callable[[], Any]) -> bool:
    """Whether the message names one record by its whole name ("Kemin Kamarikuoron"); False
    when the directory cannot be opened now."""
    try:
        return named_record(text, open_directory(), ALONE) is not None
    except StoreUnavailable as error:  # the database is down: the action says so
        logger.warning("a record name could not be looked up now: %s", error)
        return False


def referenced(tracker: Tracker, directory: Any) -> tuple[str, dict[str, Any]] | None:
    """The listed record a message points at ("sen", "toinen"); the first listed when the
    message only asks a field ("osoite?", "paljonko maksaa")."""
    text = (tracker.latest_message or {}).get("text") or ""
    results = (tracker.get_slot("last_search") or {}).get("results") or []
    index = reference(text)
    if not results:
        return None
    words = [
        w
        for w in finnish.content_words(without_phrases(text))
        if not asked_fields(w) and not is_unit(w)
    ]
    if index is None and words:
        # "milloin perhe liikunta" after the gymnasts whose text says "perheliikunta": that
        # one; naming something else ("kuka on Kuopion liaison"): not pointing
        index = _telling_all(words, directory, results)
        if index is None:
            return None
    if index == 0 and len(results) > 1:  # "milloinka ne kyläkahvit on": the one that says so
        index = _saying(text, directory, results)
    index = index or 0
    if not -len(results) <= index < len(results):
        return None
    kind, record_id = results[index]
    record = directory.get(kind, record_id)
    return (kind, record) if record else None


def _told_terms(directory: Any, results: list[list[str]]) -> list[set[str]]:
    """The words (lemmas and compound parts) of each listed record's name and description."""
    records = [directory.get(kind, record_id) or {} for kind, record_id in results]
    return [
        index_terms(" ".join(str(r.get(k) or "") for k in ("name", "title", "description")))
        for r in records
    ]


def _telling_all(words: list[str], directory: Any, results: list[list[str]]) -> int | None:
    """The one listed record whose own text says every one of the words (a lemma or a
    compound part of each), or None."""
    asked = [{t for t in index_terms(w) if len(t) >= 3} for w in words]
    telling = [
        i
        for i, said in enumerate(_told_terms(directory, results))
        if all(terms & said for terms in asked)
    ]
    return telling[0] if len(telling) == 1 else None


def _saying(text: str, directory: Any, results: list[list[str]]) -> int:
    """Of the records told, the one whose own words say most of the message's other words
    ("kyläkahvit" of the village association whose text tells of them); 0 when none does."""
    words = [w for w in finnish.content_words(without_phrases(text)) if not asked_fields(w)]
    asked = {t for w in words for t in index_terms(w) if len(t) >= 3}
    best, chosen = 0, 0
    for i, said in enumerate(_told_terms(directory, results)):
        if len(asked & said) > best:
            best, chosen = len(asked & said), i
    return chosen


def find_record(
    text: str, directory: Any, prefer: str | None = None, tracker: Tracker | None = None
) -> tuple[str, dict[str, Any]] | None:
    """The one record a message is about: the one it names, or (with the conversation) the
    listed one it points at. A name alone ("Kemin Kamarikuoro") counts only when the message
    says little else and asks for no other sort of thing (`prefer`): "onko kemissä salia
    kamarikuorolle" is a search for spaces."""
    fields = asked_fields(text)
    told = told_by_name(text, directory, tracker) if fields and tracker is not None else None
    if told is not None:  # "silta puhelin" after "Parkanon Ystävyyden Silta": that one
        return told
    found = named_record(text, directory, WITH_FIELDS if fields else ALONE)
    if found is not None and _elsewhere(text, found[1]):
        found = None  # "pankkitunnukset puhelimeen, Muurame": not Muhos's evening, a search
    if found is not None and not fields and found[0] != PEOPLE:  # a person's whole name: them
        kind, record = found
        name = record.get("name") or record.get("title") or ""
        others = [w for w in finnish.content_words(text) if name_coverage(w, name)[0] == 0]
        if len(others) > 1 or (prefer and not is_preferred(sort_of(kind, record), prefer)):
            found = None
    if found is None and (fields or asks_more(text)) and tracker is not None:
        found = named_beside(text, directory, tracker) or referenced(tracker, directory)
    return found


def _elsewhere(text: str, record: dict[str, Any]) -> bool:
    """The message names a municipality the record is not in (and it has places of its own)."""
    said = {e.value for e in finnish.extract_entities(text) if e.entity == "municipality"}
    places = set(municipalities_of(record))
    return bool(said and places and not said & places)


def told_by_name(text: str, directory: Any, tracker: Tracker) -> tuple[str, dict[str, Any]] | None:
    """Of the records just told, the one whose name says most of the message's words that ask
    no field ("silta puhelin": "Parkanon Ystävyyden Silta ry", not an evening whose title
    says "puhelimeen"); None when none, or two alike."""
    results = (tracker.get_slot("last_search") or {}).get("results") or []
    said = {
        form
        for w in finnish.content_words(text)
        if not asked_fields(w)
        for form in (w.lower(), finnish.lemma(w))
    }
    if not said:
        return None
    scored = []
    for kind, rid in results:
        record = directory.get(kind, rid)
        if record:
            hits = len(name_words(record.get("name") or record.get("title") or "") & said)
            scored.append((hits, kind, record))
    scored.sort(key=lambda item: -item[0])
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1], scored[0][2]


def named_beside(text: str, directory: Any, tracker: Tracker) -> tuple[str, dict[str, Any]] | None:
    """A record the message names by a word of its name, beside what Apuri told last: "milloin
    se muistikahvila on" after the memory association is its event "Muistikahvila
    Nurmeksessa"; "entä se läheisten ryhmä". Its own records (an event, a space of the
    association) first, then those of the same place; None when nothing or two alike."""
    results = (tracker.get_slot("last_search") or {}).get("results") or []
    told = [r for r in (directory.get(kind, rid) for kind, rid in results) if r]
    words = [w for w in finnish.content_words(text) if not asked_fields(w)]
    if not told or not words:
        return None
    own = {r["id"] for r in told} | {r["organization_id"] for r in told if r.get("organization_id")}
    places = {m for r in told for m in municipalities_of(r)}
    terms = sorted({t for w in words for t in index_terms(w) if len(t) >= 3})
    scored = []
    for _, kind, record in directory.rank(terms, None, NAMED, limit=15):
        name = record.get("name") or record.get("title") or ""
        mine = record["id"] in own or record.get("organization_id") in own
        # its own by the last part of a compound too ("retkiä" of its "Syksyinen luontoretki")
        coverage, said = name_coverage(" ".join(words), name, whole=not mine)
        if not said:
            continue
        here = bool(places & set(municipalities_of(record)))
        if mine or here:  # the more of its name said, the surer ("kamarikuorolla": the choir,
            scored.append((not mine, -coverage, kind, record))  # not its spring concert)
    scored.sort(key=lambda item: (item[0], item[1], _when(item[3])))
    named = [(near, less, r.get("name") or r.get("title")) for near, less, _, r in scored]
    if not scored or (
        len(set(named)) > 1 and named[1][:2] == named[0][:2] and named[1][2] != named[0][2]
    ):
        return None  # two alike: a search lists them (the same event twice: the next one)
    return scored[0][2], scored[0][3]


def next_event_of(
    directory: Any, organization: dict[str, Any]
) -> tuple[str, dict[str, Any]] | None:
    """The next upcoming event an organization holds, when its card says no time of its own."""
    if not texts.says_when(organization):
        for place in organization.get("municipalities") or [None]:
            for _, kind, event in directory.in_place(place, ("events",)):
                if event.get("organization_id") == organization["id"]:
                    return kind, event
    return None


def fields_asked_of(text: str, record: dict[str, Any]) -> list[str]:
    """The fields a question asks of a record, leaving out the words that only say its name:
    "mitä pitää ottaa mukaan pankkitunnukset puhelimeen -iltaan" asks no phone."""
    name = record.get("name") or record.get("title") or ""
    kept = [
        w
        for _, _, w in finnish.tokenize(text)
        if not (asked_fields(w) and name_coverage(w, name)[0] > 0)
    ]
    return asked_fields(" ".join(kept))


def detail_sentences(text: str, record: dict[str, Any]) -> list[str]:
    """The sentences of a record's description and accessibility that say what a yes/no
    question about it asks ("onko siellä piano" → "Salissa on piano."), those sharing the most
    of its words (lemmas and compound parts, not the words of the record's name); [] when
    none says it."""
    name = record.get("name") or record.get("title") or ""
    own = index_terms(name)
    asked = [
        (alike, every, terms)
        for word in detail_words(text)
        if (terms := (every := {t for t in index_terms(word) if len(t) >= 3}) - own)
        and (whole := {finnish.lemma(word), word.lower()} & terms)
        and (alike := {a for w in whole for a in alike_details(w)})
    ]
    scored = []
    for sentence in [
        *texts.sentences(record.get("description")),
        *texts.sentences(record.get("accessibility")),
    ]:
        terms = index_terms(sentence)
        # the word itself or one alike ("syötävää": "keitto"), or two parts of it ("etäkokous"
        # in "etäkokouslaitteet"); one part alone is another thing ("tietokone" is no
        # "asiakaskone")
        score = sum(
            1
            for alike, every, word in asked
            if alike & terms or (word & terms and len(every & terms) >= 2)
        )
        if score:
            scored.append((score, sentence))
    best = max((score for score, _ in scored), default=0)
    return [sentence for score, sentence in scored if score == best]


def told_detail(text: str, directory: Any, tracker: Tracker) -> tuple[str, dict[str, Any]] | None:
    """The record just told that a yes/no question points at, when its own words answer it:
    "onko siellä piano" after a hall, "tarviiko olla oma kantele" after the one kantele group.
    None when it names a place (a new search) or the record does not say."""
    results = (tracker.get_slot("last_search") or {}).get("results") or []
    index = reference(text)
    if not results or (index is None and not (asks_yes_or_no(text) and len(results) == 1)):
        return None
    if any(e.entity in ("municipality", "region") for e in finnish.extract_entities(text)):
        return None
    index = index or 0
    if not -len(results) <= index < len(results):
        return None
    kind, record_id = results[index]
    record = directory.get(kind, record_id)
    if not record:
        return None
    # "onko niillä vertaisryhmää": the association's own group, by a word not of its own name
    # ("tarviiko olla oma kantele" of the kantele group is about the group)
    own_words = index_terms(record.get("name") or record.get("title") or "")
    other = " ".join(
        w for _, _, w in finnish.tokenize(text) if not {finnish.lemma(w), w.lower()} & own_words
    )
    own = named_beside(other, directory, tracker)
    if own is not None and own[1]["id"] not in {rid for _, rid in results}:
        return own
    return (kind, record) if detail_sentences(text, record) else None


def _when(record: dict[str, Any]) -> str:
    """An event's start, so of two with one name the next comes first; "" for the rest."""
    return record.get("start") or ""


def answer_about_record(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    open_directory: Callable[[], Any],
    prefer: str | None = None,
) -> list[dict[str, Any]] | None:
    """The answer to a question about one record (`find_record`), or None when the message is
    not one, or the directory cannot be opened now (then the action answers as it would)."""
    text = (tracker.latest_message or {}).get("text") or ""
    try:
        directory = open_directory()
        found = find_record(text, directory, prefer, tracker) or told_detail(
            text, directory, tracker
        )
        if found is None:
            return None
        kind, record = found
        organization = (
            directory.get("organizations", record["organization_id"])
            if record.get("organization_id")
            else None
        )
        people = {
            pid: person
            for pid in (
                record.get("contact_person_id"),
                record.get("booking_contact_person_id"),
                (organization or {}).get("contact_person_id"),
            )
            if pid and (person := directory.get("contact_persons", pid))
        }
        fields = fields_asked_of(text, record)
        if kind == "organizations" and "when" in fields and not record.get("opening_hours"):
            # "milloin se seuraavan kerran kokoontuu" of a council: its next own event
            kind, record = next_event_of(directory, record) or (kind, record)
        detail = [] if fields else detail_sentences(text, record)
        if detail:  # "onko siellä piano": what its description says of that
            answer = texts.detail_answer(record, detail, people, organization)
        else:
            answer = texts.record_answer(record, fields, people, organization)
        # nobody of its own to ask, or a person asked for that it names nobody for ("kuka
        # neuvoo hakemisessa" of a grant with only its pages): the place's person
        if answer.endswith(f"{texts.NOT_LISTED}.") or (
            texts.NOT_LISTED in answer and {"contact", "booking"} & set(fields)
        ):
            places = [
                tracker.get_slot("municipality"),
                *(record.get("municipalities") or []),
                record.get("municipality"),
            ]
            person = directory.contact(
                next((p for p in places if p), None),
                tracker.get_slot("region") or record.get("region"),
            )
            if person:
                answer += f"\nKysy: {texts.person_line(person)}"
    except StoreUnavailable as error:  # the database is down: the action answers as it would
        logger.warning("a record could not be looked up now: %s", error)
        return None
    dispatcher.utter_message(text=answer)
    last = dict(tracker.get_slot("last_search") or {})
    last["results"] = [[kind, record["id"]]]  # "entä sen osoite?" is about this one now
    return [
        SlotSet("last_search", last),
        SlotSet("open_question", "none"),
        SlotSet("pending_search", None),
    ]
