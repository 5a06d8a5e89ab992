"""Municipalities and regions of Finland, and a lookup from any word form to the official name."""

from __future__ import annotations

import csv
import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from finnish import morphology
from finnish.datafiles import DATA_DIR, load
from finnish.forms import VOWELS, adjective_forms, forms_of_part, inflected_forms
from finnish.typos import edit_distance

AMBIGUOUS: dict[str, dict] = load("places.yml")["ambiguous"]
MUNICIPALITY_FILE = Path(
    os.environ.get("APURI_MUNICIPALITY_FILE", DATA_DIR / "municipalities-2021.csv")
)


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    name_sv: str
    region: str


class Gazetteer:
    """Municipalities and regions of Finland, and a lookup from any word form to the name."""

    def __init__(self, path: Path = MUNICIPALITY_FILE) -> None:
        self.municipalities: dict[str, Municipality] = {}
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter=";"):
                m = Municipality(
                    code=row["Kuntanumero"].strip(),
                    name=row["Kunnan nimi"].strip(),
                    name_sv=row["Kunnan nimi ruotsiksi"].strip(),
                    region=row["Maakunnan nimi"].strip(),
                )
                self.municipalities[m.name] = m
        self.regions: set[str] = {m.region for m in self.municipalities.values()}
        self._forms: dict[str, tuple[str, str]] = {}  # form → (entity, value)
        self._build()

    def _add(self, form: str, entity: str, value: str, *, override: bool = False) -> None:
        if override or form not in self._forms:
            self._forms[form] = (entity, value)

    def _add_generated(self, forms: Iterable[str], entity: str, value: str, base: str) -> None:
        """Add generated forms, except those Voikko knows only as other words ("lopeta")."""
        base = base.lower()
        unknown_place = value in AMBIGUOUS and morphology.place_lemma(value) != value
        for form in forms:
            analyses = morphology.analyses(form)
            if unknown_place:
                self._add(form, entity, value)  # Voikko does not know it: context decides
                continue
            if analyses and not any(
                a.get("CLASS") == "paikannimi"
                or a.get("BASEFORM", "").lower().replace("-", "") in (base, base.replace("-", ""))
                or a.get("BASEFORM", "").lower().endswith(("lainen", "läinen"))
                for a in analyses
            ):
                continue
            self._add(form, entity, value)

    def _build(self) -> None:
        for m in self.municipalities.values():
            forms = inflected_forms(m.name) | adjective_forms(m.name)
            self._add_generated(forms, "municipality", m.name, m.name)
            if m.name == "Koski Tl":
                self._add_generated(inflected_forms("Koski"), "municipality", m.name, "koski")
        for region in self.regions:
            forms = inflected_forms(region) | adjective_forms(region)
            self._add_generated(forms, "region", region, region)
        self._add_region_specials()
        # Exact official and Swedish names and nicknames win over generated forms.
        for m in self.municipalities.values():
            self._add(m.name.lower(), "municipality", m.name, override=True)
            if m.name_sv and m.name_sv.lower() not in self._forms:
                self._add(m.name_sv.lower(), "municipality", m.name)
        for nick, name in load("places.yml")["nicknames"].items():
            self._add(nick, "municipality", name, override=True)
            if len(nick) > 3 and nick[-1] not in VOWELS:  # jyväs → jyväsillä
                for form in forms_of_part(nick + "i"):
                    self._add(form, "municipality", name)
            elif len(nick) > 3:
                self._add_generated(inflected_forms(nick), "municipality", name, nick)
        for region in self.regions:
            self._add(region.lower(), "region", region, override=True)
        self.max_words = max(f.count(" ") for f in self._forms) + 1

    def _add_region_specials(self) -> None:
        for form in (
            "uudellamaalla",
            "uudeltamaalta",
            "uudellemaalle",
            "uudenmaan",
            "uusimaa",
            "uudenmaalla",
            "uudenmaalle",
            "uudeltamaalta",
            "uusmaalainen",
            "uusmaalaiset",
        ):
            self._add(form, "region", "Uusimaa", override=True)
        self._add("kainuulaiset", "region", "Kainuu")
        self._add("lappilainen", "region", "Lappi", override=True)
        self._add("lappilaiset", "region", "Lappi", override=True)
        self._add("lapin", "region", "Lappi", override=True)

    def lookup(self, form: str) -> tuple[str, str] | None:
        """(entity, value) for a lower-case word form, or None."""
        form = form.lower()
        hit = self._forms.get(form)
        if hit:
            return hit
        for clitic in ("kin", "ko", "kö", "kaan", "kään", "han", "hän", "pa", "pä"):
            if form.endswith(clitic) and form[: -len(clitic)] in self._forms:
                return self._forms[form[: -len(clitic)]]
        base = morphology.place_lemma(form)
        if base and base in self.municipalities:
            return ("municipality", base)
        if base and base in self.regions:
            return ("region", base)
        return None

    @functools.cached_property
    def _forms_by_start(self) -> dict[tuple[str, int], list[tuple[str, frozenset[str]]]]:
        """Single-word forms (with their letter pairs) by first letter and length: the
        candidates for `near`."""
        index: dict[tuple[str, int], list[tuple[str, frozenset[str]]]] = {}
        for form in self._forms:
            if " " not in form and "-" not in form and len(form) >= 5:
                index.setdefault((form[0], len(form)), []).append((form, _pairs(form)))
        return index

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one gazetteer for the process
    def near(self, word: str) -> tuple[str, str] | None:
        """The place a misheard or mistyped word stands for ("kuopijossa", "rovanimellä"):
        one edit away (two in a long word), the same first two letters, one place only; never
        an ambiguous name and never a word Finnish already has."""
        w = word.lower()
        if len(w) < 6 or not w.isalpha() or morphology.is_known_word(w):
            return None
        limit = 1 if len(w) < 11 else 2
        best, hits = limit + 1, set()
        pairs = _pairs(w)
        for length in range(len(w) - limit, len(w) + limit + 1):
            # each edit breaks at most two letter pairs: fewer shared pairs, more edits
            shared = max(len(w), length) - 1 - 2 * limit - 1
            for form, form_pairs in self._forms_by_start.get((w[0], length), ()):
                if form[1] != w[1] or len(pairs & form_pairs) < shared:
                    continue
                d = edit_distance(w, form, best + 1)
                if d < best:
                    best, hits = d, {self._forms[form]}
                elif d == best:
                    hits.add(self._forms[form])
        if best > limit or len(hits) != 1:
            return None
        hit = next(iter(hits))
        return None if hit[1] in AMBIGUOUS else hit

    def municipality(self, text: str) -> str | None:
        """The official name for a municipality written in any form, or None."""
        hit = self.lookup(text.strip())
        return hit[1] if hit and hit[0] == "municipality" else None

    def region(self, text: str) -> str | None:
        """The region (maakunta) name for a region written in any form, or None."""
        hit = self.lookup(text.strip())
        return hit[1] if hit and hit[0] == "region" else None

    def region_of(self, municipality: str) -> str | None:
        m = self.municipalities.get(municipality)
        return m.region if m else None


def _pairs(word: str) -> frozenset[str]:
    return frozenset(word[i : i + 2] for i in range(len(word) - 1))


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()


def iter_municipalities() -> Iterable[Municipality]:
    return gazetteer().municipalities.values()
