"""One search over everything: associations, public services, digital support points, events,
spaces and grants at once, ranked by how well their name, description and topics match the
question's own words.

A citizen does not know whether help comes from an association, a service or a digital support
point, so no kind is hidden: the intent only nudges the ranking (`prefer`) and shapes the
answer. The question's words are lemmas and compound parts with a small synonym table
("jumppa" finds "liikuntaryhmä"); words the dictionary does not know are also matched by their
beginning ("lauluveikkojen" → "lauluveik…"). Words beat coarse topics at every scope: the search
widens from the municipality to its region and the whole country with the words, and only when
no record anywhere matches them does the question's topic alone decide. A narrow topic
("omaishoito", "ystavatoiminta") near comes before the words across the country: "isä kaipais
seuraa Joensuussa" is answered by Joensuu's friendship work, not by a far record that says
"yksin".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import finnish
from core import clock
from finnish.morphology import is_known_word, lemmas, spelled
from finnish.words import generic
from store.directory.store import Directory, index_terms, municipalities_of, record_words

SEARCHED = ("organizations", "events", "spaces", "grants")
# The sort each intent asks for: it comes first in the answer, nothing else is hidden.
PREFER = {
    "find_association": "association",
    "find_service": "public_service",
    "digital_help": "digital_support",
    "ask_events": "events",
    "ask_spaces": "spaces",
    "ask_grants": "grants",
    "volunteer": "association",
}
TOPIC_BOOST = 1.25  # a record tagged with the question's topic, above an equal match without
KEEP_FROM_BEST = 0.5  # records scoring under this share of the best are not listed
# topics that say who a question is for, not what it asks for
AUDIENCES = {"ikaantyneet", "nuoret", "lapset_ja_perheet", "maahanmuuttajat"}
# topics too wide to answer a question near before its words are looked for far away ("kuoro"
# is culture, yet a village association tagged with culture is no choir)
COARSE = AUDIENCES | {"kulttuuri", "liikunta", "terveys", "ymparisto", "kylatoiminta"}
FAR_STRONGER = 3.0  # the asked sort further away this much better: widen past another sort


@dataclass
class Query:
    """What was asked: its own words, its topic, where, and which sort the intent prefers
    ("association", "public_service", "digital_support", "events", "spaces", "grants")."""

    words: list[str] = field(default_factory=list)
    topic: str | None = None
    municipality: str | None = None
    region: str | None = None
    prefer: str | None = None
    kinds: tuple[str, ...] = SEARCHED
    # the intent itself says the topic ("voisin auttaa vanhuksia": volunteering), as if the
    # question's own words did
    topic_said: bool = False

    def terms(self, synonyms: bool = True) -> list[str]:
        """The words as search terms: lemmas, compound parts, synonyms; the beginning of a word
        the dictionary does not know ("lauluveik*")."""
        out: set[str] = set()
        for word in self.words:
            # a typo in a long word ("terveysaesmia"): the dictionary's word too (short ones
            # are more often dialect, "mittään", than typos)
            fixed = spelled(word) if len(word) >= 8 else None
            forms = [word] + ([fixed] if fixed and " " not in fixed else [])
            found = {b for form in forms for w in {form, *lemmas(form)} for b in index_terms(w)}
            # a generic part of a compound ("kerho" of "eläkeläiskerho") finds anything
            found = {t for t in found if t in (word.lower(), finnish.lemma(word)) or not generic(t)}
            for term in list(found) if synonyms else []:
                found |= finnish.synonyms(term)
            out |= {t for t in found if len(t) >= 3}
            if not is_known_word(word) and len(word) >= 7:
                out.add(word.lower()[: max(5, len(word) - 5)] + "*")
            if not is_known_word(word):  # a name with its ending: "stean" → "stea"
                out |= {
                    word.lower()[: -len(e)]
                    for e in _ENDINGS
                    if word.lower().endswith(e) and len(word) - len(e) >= 3
                }
        return sorted(out)

    def topic_terms(self) -> list[str]:
        return finnish.sort_words(self.topic) if self.topic else []

    def home_region(self) -> str | None:
        """The region asked about: the municipality's, else the one said."""
        if self.municipality:
            return finnish.gazetteer().region_of(self.municipality) or self.region
        return self.region

    def places(self) -> list[tuple[str, str | None]]:
        """(scope, place key) from near to far: the municipality, its region, the country."""
        region = self.home_region()
        out: list[tuple[str, str | None]] = []
        if self.municipality:
            out.append(("municipality", self.municipality))
        if region:
            out.append(("region", f"region:{region}"))
        out.append(("national", None))
        return out


def sort_of(kind: str, record: dict[str, Any]) -> str:
    """What a record is: an organization's own kind, else its list ("events")."""
    return record.get("kind") or kind if kind == "organizations" else kind


def search(
    directory: Directory,
    query: Query,
    limit: int = 12,
    any_record: bool = False,
    far_by_topic: bool = True,
    far_by_words: bool = True,
    only_when_unsaid: bool = False,
    far_only_nationwide: bool = False,
) -> tuple[list[dict[str, Any]], str]:
    """The best records for the question and where they were found: "municipality",
    "region", "national" or "none". The words first, widening from near to far; then the
    topic alone. With `any_record`, every record of the preferred sort answers the question
    ("digitukea Kuopiossa", "omakanta ei aukea"): those of the nearest place come first.
    Without `far_by_topic`, the topic alone looks only near (the municipality and its region):
    a peer group across the country is no answer to "vertaistukea Jämsässä". Without
    `far_by_words`, not even the words do: help one must go to ("apua puhelimen kanssa
    Rääkkylässä") is no answer from the other end of the country. With `only_when_unsaid`,
    every record of the sort answers only when none has the words ("stean avustus" is STEA's,
    not every grant in the country). With `far_only_nationwide`, the whole country lists only
    what serves all of it (Kela), not a club in another region one cannot go to."""
    words = query.terms()
    # nothing asked but a sort of thing in a place ("mitä yhdistyksiä Kiteellä on"): all of it
    any_record = any_record or not (words or query.topic)
    own = set(query.terms(synonyms=False))
    places = query.places()
    topic = query.topic_terms() or [""]
    near = [n for n, (scope, _) in enumerate(places) if scope != "national"]
    far = [n for n, (scope, _) in enumerate(places) if scope == "national"]
    if query.topic and query.topic not in COARSE:
        # a narrow topic near ("kaipais seuraa": friendship) before the words further away:
        # the village helpers of Tuusniemi who help with tablets before another town's
        # support point whose text says "Suomi.fi"
        order = [(by_words, n) for n in near for by_words in (True, False)]
        order += [(True, n) for n in far] + [(False, n) for n in far]
    else:
        order = [(by_words, n) for by_words in (True, False) for n in range(len(places))]
    # the nearest answer of another sort found only by a synonym ("sokeutumassa": the
    # association of the visually impaired for a question put as a service); an association
    # asked for is not answered so ("kuoroja": no library whose text says "laulu")
    loose: tuple[list[dict[str, Any]], str] | None = None
    far_words = False
    for by_words, n in order:
        terms, (scope, place) = (words if by_words else topic), places[n]
        if (
            scope == "national"
            and not (far_by_words if by_words else far_by_topic)
            and (query.municipality or query.region)
        ):
            continue
        found = directory.rank(terms, place, query.kinds, limit=40) if any(terms) else []
        said = any(is_preferred(sort_of(k, r), query.prefer) for _, k, r in found)
        if any_record and query.prefer and not (only_when_unsaid and said):
            matched = {(k, r["id"]) for _, k, r in found}
            # only the asked sort's list: at the country's scope forty organizations would
            # crowd out the events ("tänä viikonloppuna jotain tapahtumaa")
            kinds = tuple(
                k
                for k in query.kinds
                if k == query.prefer or (k == "organizations" and query.prefer not in SEARCHED)
            )
            found += [
                (0.0, k, r)
                for _, k, r in directory.in_place(place, kinds)
                if is_preferred(sort_of(k, r), query.prefer) and (k, r["id"]) not in matched
            ]
        found = [
            item
            for item in found
            if not _stale(item[1], item[2]) and _open_to(item[1], item[2], query)
        ]
        if scope == "national" and far_only_nationwide and (query.municipality or query.region):
            kept = [item for item in found if _nationwide(item[2])]
            # the words are answered, only too far away: no coarse topic near instead (a
            # library tagged with culture is no choir); the person for the place helps
            far_words = far_words or (
                by_words and not kept and bool(_ranked(found, query, set(words), own, by_words))
            )
            found = kept
        if far_words and not by_words:
            continue
        ranked = _ranked(found, query, set(words), own, by_words)
        if not ranked and by_words and not loose and query.prefer != "association":
            loose = _ranked(found, query, set(words), own, by_words, strict=False), scope
        if (
            ranked
            and by_words
            and _asked_sort_further(directory, query, terms, ranked, found, places[n + 1 :])
        ):
            continue
        if ranked:
            return ranked[:limit], scope
    if loose and loose[0]:  # only a synonym matched, and only here: better than nothing
        return loose[0][:limit], loose[1]
    return [], "none"


Found = list[tuple[float, str, dict[str, Any]]]  # (score, list, record) as the database ranks

# case endings of a name the dictionary does not know ("STEA:n" written "stean", "Kotoilon")
_ENDINGS = ("n", "lle", "lla", "llä", "ssa", "ssä", "sta", "stä", "han", "hin", "a", "ä")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")


def _open_to(kind: str, record: dict[str, Any], query: Query) -> bool:
    """Whether an asker in the query's place may apply: a grant of named municipalities (a
    town's own grant) is for their associations only, one of a region for that region's; the
    others are for anyone."""
    if kind != "grants":
        return True
    places = record.get("municipalities") or []
    region = query.home_region()
    if query.municipality and places:
        return query.municipality in places
    return not (region and record.get("region") and not places) or record["region"] == region


def _nationwide(record: dict[str, Any]) -> bool:
    """A record of no place or region of its own: it serves the whole country."""
    return not (municipalities_of(record) or record.get("region"))


def _stale(kind: str, record: dict[str, Any]) -> bool:
    """An event or a grant whose name says a year gone by ("Kuopion järjestöfoorumi 2025" in
    2026): an old round, whatever date it was left with, so it is not listed."""
    if kind not in ("events", "grants"):
        return False
    years = [
        int(m.group(0)) for m in _YEAR.finditer(record.get("name") or record.get("title") or "")
    ]
    return bool(years) and max(years) < clock.today().year


def _asked_sort_further(
    directory: Directory,
    query: Query,
    terms: list[str],
    ranked: list[dict[str, Any]],
    found: Found,
    farther: list[tuple[str, str | None]],
) -> bool:
    """Whether to pass over a near answer of another sort only (a health station whose text
    says "puhelin" for "apua puhelimen kanssa Rääkkylässä"): when the asked sort matches the
    words FAR_STRONGER times better further away, the search widens to it."""
    if not query.prefer or any(is_preferred(sort_of(r["_list"], r), query.prefer) for r in ranked):
        return False
    listed = {(r["_list"], r["id"]) for r in ranked}
    near = max((v for v, k, r in found if (k, r["id"]) in listed), default=0.0)
    for _, place in farther:
        far = [
            v
            for v, k, r in directory.rank(terms, place, query.kinds, limit=40)
            if is_preferred(sort_of(k, r), query.prefer)
        ]
        if far:
            return max(far) >= FAR_STRONGER * near
    return False


def _ranked(
    found: Found, query: Query, terms: set[str], own: set[str], by_words: bool, strict: bool = True
) -> list[dict[str, Any]]:
    """The matches worth listing, those of the sort the intent asks for first (the answer is
    shaped by it), each group by score with the topic's nudge. Another sort is listed beside
    the preferred one only when it matches at least as well; weak tails are left out. With none
    of the asked sort, another sort answers when it has the question's own words ("tabletti"
    at a support point for a question put as a service), not when only a synonym matched (then
    the search widens: "eläkeläiskerhoja Varkaudessa" finds the region's pensioners' club, not
    the welfare area's services for the elderly), or when it is tagged with the topic the
    question names ("tukea omaishoitajille": the welfare area's family care). `terms`: the
    question's search terms; `own`: its own words without synonyms; `by_words`: found by the
    words, not the topic alone; without `strict`, a synonym is enough for another sort."""
    if not found:
        return []

    def score(item: tuple[float, str, dict[str, Any]]) -> float:
        value, _, record = item
        topical = query.topic and query.topic in (record.get("topics") or [])
        return value * (TOPIC_BOOST if topical else 1.0)

    preferred = [i for i in found if is_preferred(sort_of(i[1], i[2]), query.prefer)]

    def says(item: tuple[float, str, dict[str, Any]]) -> bool:
        """The question's own word in the record's name or description ("Kuoro, joka
        laulaa"): a match however much better others score; a synonym or a topic is not."""
        name, other, _ = record_words(item[1], item[2])
        return bool(own & set(f"{name} {other}".split()))

    def alike(item: tuple[float, str, dict[str, Any]]) -> bool:
        """An organization, or any record when the intent asks for an event, a space or a
        grant; these have their own question, so for another one they are listed only when
        the words are in their name ("joulukonsertti"), never beside what was asked for
        ("eläkeläiskerhoja" lists no "Eläkeläiskuoron konsertti")."""
        return item[1] == "organizations" or query.prefer in SEARCHED[1:]

    def tagged(item: tuple[float, str, dict[str, Any]]) -> bool:
        """Tagged with the topic the question names in its own words ("tukea
        omaishoitajille": the welfare area's family care), or that the intent itself says
        (`Query.topic_said`), not only who it is for."""
        return bool(
            query.topic
            and query.topic not in AUDIENCES
            and query.topic in (item[2].get("topics") or [])
            and (query.topic_said or own & set(finnish.sort_words(query.topic)))
        )

    others = [i for i in found if i not in preferred and (alike(i) or named_by(i[1], i[2], terms))]
    if preferred:
        best = max(score(i) for i in preferred)
        # a record of the asked sort in the place answers even without the words (score 0:
        # added because every such record answers, "digitukea Kuopiossa")
        kept = [
            i
            for i in preferred
            if best <= 0 or i[0] == 0 or score(i) >= best * KEEP_FROM_BEST or says(i)
        ]
        # beside records listed without the words ("digitukea Kuopiossa"), another sort only
        # by its name: "pankkitunnukset" lists no welfare area whose text says "pankki"
        kept += [
            i
            for i in others
            if alike(i)
            and score(i) > 0
            and (score(i) >= best if best > 0 else named_by(i[1], i[2], own))
        ]
        # another sort whose name says more of the question than any record of the asked
        # sort does: "tornio perhe juhla" is the family café's spring party, not the café
        cover = _coverage(query)
        if cover is not None and best > 0:
            top = max((cover(i) for i in kept if i[0] > 0), default=0)
            kept += [
                i
                for i in others
                if i not in kept and score(i) > 0 and cover(i) > top and named_by(i[1], i[2], terms)
            ]
    else:
        if by_words and query.prefer and strict:
            others = [i for i in others if says(i) or tagged(i)]
        if not others:
            return []
        best = max(score(i) for i in others)
        kept = [i for i in others if best <= 0 or score(i) >= best * KEEP_FROM_BEST]
    kept = _most_covered(kept, query)
    kept.sort(key=lambda i: (i not in preferred, -score(i)))
    return [with_kind(k, r) for _, k, r in kept]


def _most_covered(found: Found, query: Query) -> Found:
    """Of records found by the words, those that match the most of what the question asks
    for: "jumppaa eläkeläisille Vieremällä" lists the sports club with exercise for
    pensioners, not the home care that only serves the elderly. Who it is for ("senioreille",
    "nuorille") counts only when the question says nothing else. Records listed without the
    words (score 0: every one of the asked sort answers) stay."""
    covered = _coverage(query)
    if covered is None:
        return found
    counts = {id(i): covered(i) for i in found if i[0] > 0}
    most = max(counts.values(), default=0)
    return [i for i in found if i[0] <= 0 or most < 1 or counts[id(i)] == most]


def _coverage(query: Query) -> Callable[[tuple[float, str, dict[str, Any]]], int] | None:
    """How many of the question's words a record's own text says (its name and description,
    not its topics); None when the question has fewer than two words. Who it is for
    ("senioreille") counts only when the question says nothing else."""
    words = list(dict.fromkeys(query.words))
    if len(words) < 2:
        return None
    asked = [w for w in words if finnish.topic_of_word(w) not in AUDIENCES] or words
    per_word = [t for t in (set(Query(words=[w]).terms()) for w in asked) if t]

    def covered(item: tuple[float, str, dict[str, Any]]) -> int:
        name, other, _ = record_words(item[1], item[2])
        said = set(f"{name} {other}".split())
        return sum(
            any(
                t in said if not t.endswith("*") else any(w.startswith(t[:-1]) for w in said)
                for t in terms
            )
            for terms in per_word
        )

    return covered


def named_by(kind: str, record: dict[str, Any], terms: set[str]) -> bool:
    """Whether the question's words are in the record's name or title."""
    return bool(set(record_words(kind, record)[0].split()) & terms)


def is_preferred(sort: str, prefer: str | None) -> bool:
    """A record of this sort is what the intent asks for (a network is an association too)."""
    return sort == prefer or (prefer == "association" and sort == "network")


def with_kind(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record with the list it came from, so an answer can write each line its own way."""
    return {**record, "_list": kind}
