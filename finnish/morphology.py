"""Voikko: lemmas, cases and compound parts of Finnish words.

Voikko needs the Debian packages libvoikko1 and voikko-fi (scripts/setup.sh installs them);
without them every function still answers (the word itself as its lemma, no analyses), and the
log says so loudly at start: search and place names are much weaker then.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

logger = logging.getLogger(__name__)


def _load() -> tuple[Any, tuple[type[Exception], ...]]:
    """Voikko for Finnish and the errors it raises for a word it rejects; (None, ()) when it
    cannot be loaded, said in the log."""
    try:
        from voikko import libvoikko
    except ImportError:
        logger.error("Voikko's Python module is missing: Finnish words are not lemmatised")
        return None, ()
    try:
        return libvoikko.Voikko("fi"), (libvoikko.VoikkoException, ValueError)
    except (OSError, libvoikko.VoikkoException):
        logger.exception("Voikko could not load (libvoikko1 and voikko-fi missing?)")
        return None, ()


VOIKKO, _REJECTS = _load()

PROPER_NOUN_CLASSES = ("paikannimi", "etunimi", "sukunimi", "nimi")


@functools.lru_cache(maxsize=50_000)
def analyses(word: str) -> tuple[dict[str, str], ...]:
    """Voikko's analyses of one word (empty when Voikko does not know it)."""
    if VOIKKO is None or not word or len(word) > 60:
        return ()
    try:
        found = tuple(dict(a) for a in VOIKKO.analyze(word))
    except _REJECTS:  # Voikko rejects some inputs
        return ()
    if found:
        return found
    for spoken in _spoken_forms(word):  # "jumppoo" is "jumppaa" as many say it
        try:
            found = tuple(dict(a) for a in VOIKKO.analyze(spoken))
        except _REJECTS:
            continue
        if found:
            return found
    return ()


# How speech spells some endings and vowels: "jumppoo" (jumppaa), "kuoroo" (kuoroa),
# "eläkeläesille" (eläkeläisille); tried only for a word Voikko does not know.
_SPOKEN = (
    (re.compile(r"(?<=[^aeiouyäö])oo$"), ("aa", "oa")),
    (re.compile(r"(?<=[^aeiouyäö])öö$"), ("ää", "öä")),
    (re.compile(r"(?<=[^aeiouyäö])ee$"), ("ea", "eä")),
    (re.compile(r"ae(?=[^aeiouyäö])"), ("ai",)),
    (re.compile(r"äe(?=[^aeiouyäö])"), ("äi",)),
)


def _spoken_forms(word: str) -> list[str]:
    """The written forms a spoken spelling may stand for, to try in turn."""
    out = []
    for pattern, written in _SPOKEN:
        if pattern.search(word.lower()):
            out += [pattern.sub(w, word.lower(), count=1) for w in written]
    return out


@functools.lru_cache(maxsize=10_000)
def spelled(word: str) -> str | None:
    """The word as the dictionary spells it, for a typo ("terveysaesmia" → "terveysasemia"),
    or None when Voikko knows the word already or has no sure suggestion."""
    if VOIKKO is None or len(word) < 5 or analyses(word):
        return None
    try:
        suggestions = VOIKKO.suggest(word)
    except _REJECTS:
        return None
    return suggestions[0] if suggestions else None


def place_lemma(word: str) -> str | None:
    """The place-name base form Voikko gives for a word ("Kuopiossa" → "Kuopio"), if any."""
    for a in analyses(word):
        if a.get("CLASS") == "paikannimi":
            return a.get("BASEFORM")
    return None


def lemma(word: str) -> str:
    """The most likely base form of a word, lower case ("yhdistyksiä" → "yhdistys")."""
    found = analyses(word)
    if not found:
        return word.lower()
    common = [a for a in found if a.get("CLASS") not in PROPER_NOUN_CLASSES]
    # a word of its own before a comparative: "vanhemmille" is "vanhempi" (parents), not "vanha"
    plain = [a for a in common if not a.get("COMPARISON") or a["COMPARISON"] == "positive"]
    return (plain or common or found)[0].get("BASEFORM", word).lower()


def lemmas(word: str) -> set[str]:
    """Every base form Voikko gives for a word, lower case ("tukea" → {"tuki", "tukea"})."""
    return {a["BASEFORM"].lower() for a in analyses(word) if a.get("BASEFORM")} or {word.lower()}


def cases(word: str, baseform: str | None = None) -> set[str]:
    """Voikko's case names for a word ("Kotkassa" → {"sisaolento"}), optionally of one lemma."""
    return {
        a["SIJAMUOTO"]
        for a in analyses(word)
        if a.get("SIJAMUOTO") and (baseform is None or a.get("BASEFORM") == baseform)
    }


def word_classes(word: str) -> set[str]:
    """Voikko's word classes for a word ("vanhalla" → {"laatusana"})."""
    return {a["CLASS"] for a in analyses(word) if a.get("CLASS")}


def is_known_word(word: str) -> bool:
    """True when Voikko recognises the word (any form of a Finnish word)."""
    return bool(analyses(word))


def _word_parts(analysis: dict[str, str]) -> list[tuple[int, str, str]]:
    """(start, surface, base) of each word in Voikko's WORDBASES: "+koti(koti)+paikka(paikka)",
    "+asuin+kunta(kunta)". A part whose base starts with "+" is a suffix ("+yhdist(yhdistää)
    +ys(+ys)" is one word, "yhdistys"), and so is a short piece with no base after a word
    ("+toimi(toimia)+n+ta(+ta)" is "toiminta", not "toimi" and "nta")."""
    out: list[tuple[int, str, str]] = []
    pos = 0
    for surface, base in re.findall(r"\+([^+(]+)(?:\(([^)]*)\))?", analysis.get("WORDBASES", "")):
        if out and (base.startswith("+") or (not base and len(surface) < 3)):
            start, joined, _ = out[-1]
            out[-1] = (start, joined + surface, joined + surface)
        else:
            out.append((pos, surface, base or surface))
        pos += len(surface)
    return out


def compound_parts(word: str) -> set[str]:
    """The base forms of a compound's words ("eläkeläiskerhoja" → eläkeläinen, kerho;
    "sydänyhdistystä" → sydän, yhdistys); empty for a word that is not a compound."""
    parts: set[str] = set()
    for a in analyses(word):
        words = _word_parts(a)
        if len(words) > 1:
            parts |= {base.lower() for _, _, base in words}
    return parts


def compound_boundaries(word: str) -> list[int]:
    """Character offsets where compound parts start in a word ("liikuntaseuroja" → [0, 8])."""
    bounds = {0} | {start for a in analyses(word) for start, _, _ in _word_parts(a)}
    return sorted(b for b in bounds if b < len(word))
