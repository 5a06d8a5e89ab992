"""Finnish language knowledge for Apuri, shared by the NLU component, the actions and the importer.

Everything that turns Finnish words into normalized values lives here: inflected and
colloquial municipality and region names, topics inside compounds, phone numbers written
or spoken. Voikko supplies lemmas and compound parts; the municipality file supplies names.
"""

from __future__ import annotations

import csv
import functools
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import phonenumbers

try:  # Voikko needs the Debian libvoikko1 + voikko-fi packages; without them we degrade.
    from voikko import libvoikko

    _VOIKKO: libvoikko.Voikko | None = libvoikko.Voikko("fi")
except Exception:  # noqa: BLE001 - any failure to load the native library means "no Voikko"
    _VOIKKO = None

DATA_DIR = Path(__file__).resolve().parent / "data"
MUNICIPALITY_FILE = Path(
    os.environ.get("APURI_MUNICIPALITY_FILE", DATA_DIR / "municipalities-2021.csv")
)

TOPICS: tuple[str, ...] = (
    "liikunta", "kulttuuri", "ikaantyneet", "lapset_ja_perheet", "nuoret", "mielenterveys",
    "paihteet", "vammaiset", "terveys", "kylatoiminta", "omaishoito", "ystavatoiminta",
    "maahanmuuttajat", "ymparisto", "vapaaehtoistyo", "digituki",
)  # fmt: skip

# Word beginnings that mark a topic, also as a part of a compound ("liikuntaseuroja").
_TOPIC_STEMS: dict[str, tuple[str, ...]] = {
    "liikunta": (
        "liikun", "urheil", "jump", "kuntosal", "kuntoil", "kuntoutusliik", "uinti",
        "uima", "uinne", "hiiht", "hiihd", "sähly", "salibandy", "jalkapal", "lentopal",
        "pesäpal", "koripal", "jääkiek", "golf", "keilai", "boccia", "curling", "voimistel",
        "jooga", "pilates", "tanssi", "kävely", "sauvakävel", "lenkk", "juoksu", "pyöräil",
        "tennis", "sulkapal", "frisbee", "suunnistu", "melon", "liikkuj", "kuntopiir",
    ),
    "kulttuuri": (
        "kulttuur", "kuoro", "laulu", "musiik", "soitin", "soittoharr", "bändi", "orkester", "teatter",
        "näytel", "taide", "taitee", "taitei", "taiteil", "maalau", "käsity", "kässä", "neulo",
        "virkka", "ompel", "kirjallisuu", "lukupiir", "valokuv", "runo", "kuvatai",
        "harmonikk", "kansantan", "kansanmusiik", "museo", "perinne", "perintee",
    ),
    "ikaantyneet": (
        "ikäänty", "ikäihmi", "ikaihmi", "eläkel", "elakel", "seniori", "vanhu", "vanhain",
        "ikäpolvi", "ikäänt",
    ),
    "lapset_ja_perheet": (
        "lapsiperhe", "perhe", "lasten", "lapset", "lapsill", "lapsiryhm", "vauva", "taapero",
        "vanhemmuu", "mll", "perhekahvil", "perhekerho", "yksinhuolta", "eroperhe",
    ),
    "nuoret": (
        "nuor", "teini", "nuoris", "partio", "4h",
    ),
    "mielenterveys": (
        "mielenterv", "mielentervey", "masennu", "masentu", "mtkl",
    ),
    "paihteet": (
        "päihte", "paihte", "päihd", "alkoholi", "juomi", "viina", "huume", "aa-ryhm",
        "aa ryhm", "nimettömät alkoholistit", "raitti", "peliongelm", "pelihaitt", "riippuvuu", "peliriippu", "a-kilta",
        "a-kilt", "sininauh",
    ),
    "vammaiset": (
        "vamma", "vammai", "näkövam", "kuulovam", "liikuntavam", "kehitysvam", "aistivam",
        "sokea", "sokei", "kuuro", "huonokuulo", "huononäkö", "pyörätuol", "viittomakiel",
        "invali", "erityislap", "esteettöm", "autis", "adhd", "cp-", "näkövammai",
    ),
    "terveys": (
        "terveys", "terveyde", "potilas", "potilai", "diabet", "sydänyhd", "sydänsair", "sydänliit",
        "muisti", "alzheimer", "syöpä", "syövä", "syopa", "reuma", "astma", "allergiayhd",
        "keuhko", "aivovamm", "aivoliit", "parkinson", "ms-tau", "epilep",
        "psoriasi", "selkä", "munuai", "keliaki", "migree", "osteoporoo", "hengity",
        "kuntoutu",
    ),
    "kylatoiminta": (
        "kylätoim", "kylatoim", "kyläyhd", "kylayhd", "kyläseur", "kylätal", "kylätoimikun",
        "kyläkokou", "kyläkerho", "kyläyhteisö", "kylä", "maaseu",
    ),
    "omaishoito": (
        "omaishoi", "omaishoita", "omaisensa hoit", "omaisia hoita", "omaisten hoit",
        "hoidan puoliso", "hoidan äiti", "hoidan isä", "hoidan miest", "hoidan vaimo",
    ),
    "ystavatoiminta": (
        "ystävätoim", "ystavatoim", "ystäväpalv", "ystäväpiir", "ystäväkerh", "ystävävierail",
        "juttuseur", "kaveritoim", "yksinäisyy", "yksinaisyy",
    ),
    "maahanmuuttajat": (
        "maahanmuut", "maahanmuu", "maahantul", "pakolai", "turvapaik", "kotoutu", "kotouttami",
        "ulkomaala", "monikulttuur", "suomen kiel", "selkosuom", "kielikahvil", "ukrainala",
        "ukrainalai",
    ),
    "ymparisto": (
        "ympärist", "ymparist", "luonto", "luonno", "luonnonsuoj", "kierrät", "kierrat",
        "ilmasto", "metsä", "lintu", "linnu", "retkeil", "partiolai", "puutarh", "viljel",
        "marja", "siene", "sieni", "kalastu", "metsästy", "eläinsuoj", "vesistö",
    ),
    "vapaaehtoistyo": (
        "vapaaehto", "vapaaehtoi", "vapaaehtoisty",
    ),
    "digituki": (
        "digitu", "digiapu", "digiopas", "digiopast", "digitalkkar", "digineuv", "digikurs",
        "digitaid", "nettiapu",
    ),
}
# Whole words that name a topic but are too short to be a word beginning.
_TOPIC_WORDS = {"aa": "paihteet", "mll": "lapset_ja_perheet", "adhd": "vammaiset"}
# Words that start like a topic but name a service or a council, not a field of activity.
_NOT_TOPIC = ("terveysasem", "terveyskesk", "terveydenhoi", "terveyspalv", "terveysneuv",
              "vanhusneuvos", "vammaisneuvos", "nuorisovaltuust", "nuorisoneuvos",
              "perheenjäsen", "perheelle", "perheeni", "perheen ")
# A stem this short or generic only counts at the very start of a word, never inside one.
_WORD_START_ONLY = {"kylä", "perhe", "4h", "runo", "perheen"}

# Colloquial names for municipalities.
_NICKNAMES: dict[str, str] = {
    "hesa": "Helsinki", "stadi": "Helsinki", "hki": "Helsinki", "manse": "Tampere",
    "tampesteri": "Tampere", "tre": "Tampere", "jyväs": "Jyväskylä", "jkl": "Jyväskylä",
    "jykylä": "Jyväskylä", "rollo": "Rovaniemi", "roi": "Rovaniemi", "kuopsa": "Kuopio",
    "lande": "Lahti", "tku": "Turku", "turku": "Turku", "pedersöre": "Pedersören kunta",
}
# Names that are also ordinary words ("salo", "kolari", "pellossa") or first names: they count
# as places only when written with a capital inside a sentence, or when the sentence talks about
# places or services, and never next to words that point to the ordinary meaning.
_AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "Salo": ("metsä", "korpi", "erämaa"),
    "Ii": (),
    "Kolari": ("auto", "olin", "joutu", "kolaroi", "onnettomuu", "ajo", "törmä", "loukkaa",
               "ambulanssi", "sattu", "satu", "rekka", "pyörä", "kävi", "tapahtu", "liikentee"),
    "Nokia": ("puhelin", "känny", "kanny", "luuri", "laite", "akku", "lumia", "osake", "pörssi"),
    "Pello": ("pelto", "vilja", "traktori", "maanvilj", "kasva", "vehnä", "ohra", "peruna", "lehmä"),
    "Aura": ("lumi", "traktori", "aurau", "aurata", "hevonen"),
    "Luoto": ("meri", "vene", "saari", "kari"),
    "Hanko": ("heinä", "talikko"),
    "Rusko": ("taivas", "ilta", "aamu", "aurinko"),
    "Somero": ("hiekka", "sora", "tie"),
    "Lahti": ("vene", "uimaan", "järvi", "meri", "ranta"),
    "Kotka": ("lintu", "linnu", "lensi", "siivet", "pesä"),
    "Virrat": ("sähkö", "vesi", "joki", "meri"),
    "Kurikka": ("puu", "lyö", "löi"),
    "Kannus": ("ratsu", "hevonen", "saapas"),
    "Perho": ("perhonen", "kala", "vapa"),
    "Varkaus": ("varas", "varast", "poliisi", "rikos", "ryöst", "murto"),
    "Multia": ("kukka", "ruukku", "puutarh", "kylvö"),
    "Kaavi": ("kaapi", "lumi"),
    "Liperi": ("pappi", "kaulus"),
    "Vihti": ("sauna", "vasta", "löyly"),
    "Masku": ("maha", "vatsa", "ruoka"),
    "Tervo": ("terva", "puu"),
    "Koski Tl": ("vesi", "joki", "kalastu", "melo", "kuohu"),
    "Simo": (),
    "Kaarina": (),
    "Inari": (),
    "Lieto": (),
    "Hamina": (),
}
_FIRST_NAMES = {"Simo", "Kaarina", "Inari"}
# Words that show a sentence is about places, services or associations.
_PLACE_CUES = (
    "asu", "kunna", "kunta", "kaupun", "paikkakun", "täällä", "taalla", "tääl", "lähellä",
    "seudu", "alueel", "yhdisty", "järjest", "jarjest", "kerho", "seura", "palvelu", "terveysas",
    "kirjasto", "kela", "tapahtu", "avustu", "tila", "koulutu", "kurssi", "vapaaehto", "digi",
    "yhdyshenk", "neuvo", "apua", "ryhm", "toimint", "harrast", "jäsen", "missä", "mistä", "mitä",
    "onko", "onks", "löytyy", "löytyykö", "loytyy", "ihmi", "henkilö", "numero", "soit",
)  # fmt: skip

_FRONT = str.maketrans("aou", "äöy")
_VOWELS = "aeiouyäö"


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    name_sv: str
    region: str


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int
    text: str


# ---------------------------------------------------------------------------------------------
# Word forms: we only need to *recognise* inflected names, so we generate every plausible case
# form of each name (both vowel harmonies, strong and weak grade stems) and look tokens up.


def _weak_grades(stem: str) -> set[str]:
    """Weak-grade variants of a vowel stem ("turku" → "turu", "lahte" → "lahde")."""
    out: set[str] = set()
    if len(stem) < 3 or stem[-1] not in _VOWELS or stem[-2] in _VOWELS:
        return out
    head, last = stem[:-1], stem[-1]
    rules = (
        ("kk", "k"), ("pp", "p"), ("tt", "t"), ("nk", "ng"), ("mp", "mm"), ("nt", "nn"),
        ("lt", "ll"), ("rt", "rr"), ("ht", "hd"), ("lk", "l"), ("lk", "lj"), ("rk", "r"),
        ("rk", "rj"), ("hk", "h"), ("uku", "uvu"), ("yky", "yvy"),
    )  # fmt: skip
    for strong, weak in rules:
        if (head + last).endswith(strong) and strong.endswith(last):  # uku/yky include the vowel
            out.add(stem[: -len(strong)] + weak)
        elif head.endswith(strong):
            out.add(head[: -len(strong)] + weak + last)
    if len(head) >= 2 and head[-2] in _VOWELS and head[-1] in "kpt":
        single = {"k": "", "p": "v", "t": "d"}[head[-1]]
        out.add(head[:-1] + single + last)
    return out


def _strong_grades(stem: str) -> set[str]:
    """Strong-grade variants for names whose nominative is weak ("pudas" → "putaa")."""
    out: set[str] = set()
    for weak, strong in (("d", "t"), ("ng", "nk"), ("mm", "mp"), ("nn", "nt"), ("v", "p")):
        idx = stem.rfind(weak, 0, len(stem) - 1)
        if idx > 0 and all(c in _VOWELS for c in stem[idx + len(weak):]):
            out.add(stem[:idx] + strong + stem[idx + len(weak):])
    return out


def _stems(word: str) -> set[str]:
    """Inflectional stems of one (lower-case) name part."""
    w = word
    stems: set[str] = {w}
    if w.endswith("nen"):
        base = w[:-3]
        stems |= {base + "se", base + "si", base + "s"}
    elif w.endswith("s"):
        base = w[:-1]
        stems |= {base + "kse", base + "de", base + "te", base + base[-1:] if base else base}
        stems |= _strong_grades(base + base[-1:])
    elif w.endswith("un"):  # Punkalaidun → Punkalaitumella
        stems |= {w[:-1] + "me"} | {s + "me" for s in _strong_grades(w[:-1])}
    elif w.endswith("at") or w.endswith("ät"):  # plural names: Virrat → Virroissa
        base = w[:-2]
        stems |= {base + "oi", base + "o"} | {s + "oi" for s in _weak_grades(base + "a")}
        stems |= {s[:-1] + "oi" for s in _strong_grades(base + "a")}
    elif w[-1] not in _VOWELS:  # Swedish names: Finström → Finströmissä
        stems |= {w + "i"}
    elif w.endswith("i"):
        if len(w) > 2:
            e_stem = w[:-1] + "e"
            stems |= {e_stem} | _weak_grades(e_stem)
            if w.endswith("si"):
                stems |= {w[:-2] + "de", w[:-2] + "te"}
        stems |= _weak_grades(w)
    elif w.endswith("e") and not w.endswith("ee"):
        stems |= {w + "e"}
    else:
        stems |= _weak_grades(w)
    return {s for s in stems if s}


_ENDINGS = (
    "", "n", "ssa", "sta", "lla", "lta", "lle", "na", "ksi", "a", "ta", "han", "hin", "seen",
    "an", "en", "in", "on", "un", "yn", "än", "ön", "ten", "sten", "ihin", "issa", "illa", "ista",
    "ilta", "ille", "ina", "iksi", "ia", "ja",
    "s", "st", "l", "lt",  # spoken: Turus, Kuopiost, Tampereel
)  # fmt: skip
_CLITICS = ("", "kin", "ko", "kaan")


def _forms_of_part(part: str) -> set[str]:
    forms: set[str] = set()
    stems = _stems(part)
    stems |= {s.replace("d", "", 1) for s in stems if s.count("d") == 1 and "d" not in part}
    for stem in stems:
        for ending in _ENDINGS:
            if ending.endswith("n") and len(ending) == 2 and ending[0] in _VOWELS:
                if ending[0] != stem[-1]:  # illative lengthens the stem's own last vowel
                    continue
            for e in {ending, ending.translate(_FRONT)}:
                forms.add(stem + e)
    if part.endswith("i") and len(part) > 2:  # illative of e-stems: lahti → lahteen
        forms |= {s + "en" for s in _stems(part) if s.endswith("e")}
    return forms


def inflected_forms(name: str) -> set[str]:
    """Every plausible lower-case case form of a place name (nominative included)."""
    lower = name.lower()
    sep = "-" if "-" in lower else " " if " " in lower else None
    if sep:
        head, _, tail = lower.rpartition(sep)
        tails = _forms_of_part(tail)
        return {head + j + t for t in tails for j in (sep, " ", "", "-")}
    for prefix, prefix_stems in (("uusi", ("uude", "uute", "uusi")), ("iso", ("iso",))):
        rest = lower[len(prefix):]
        if lower.startswith(prefix) and len(rest) > 3:
            out = _forms_of_part(lower)
            for stem in _stems(rest):
                for ending in ("ssa", "lla", "sta", "lta", "lle", "n", "en", "na"):
                    for e2 in {ending, ending.translate(_FRONT)}:  # Isossakyrössä
                        out |= {ps + ending + stem + e2 for ps in prefix_stems}
                    out |= {ps + ending + stem + ending2 for ps in prefix_stems
                            for ending2 in ("seen", "hin", "in", "en", "iin")}
            return out
    return _forms_of_part(lower)


def _adjective_forms(name: str) -> set[str]:
    """Inhabitant adjectives: kuopiolainen, rovaniemeläinen, helsinkiläiset."""
    lower = name.lower().replace("-", "")
    if " " in lower:
        return set()
    bases = {lower}
    if lower.endswith("i") and len(lower) > 3:
        bases.add(lower[:-1] + "e")
    out = set()
    for base in bases:
        for suffix in ("lainen", "laisen", "laiset", "laisten", "laisia", "laisille", "laisten",
                       "laista", "laisena", "laisia"):
            out |= {base + suffix, base + suffix.translate(_FRONT)}
    return out


# ---------------------------------------------------------------------------------------------
# Gazetteer


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
        for form in forms:
            analyses = _analyses(form)
            if value in _AMBIGUOUS and place_lemma(value) != value:
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
            forms = inflected_forms(m.name) | _adjective_forms(m.name)
            self._add_generated(forms, "municipality", m.name, m.name)
            if m.name == "Koski Tl":
                self._add_generated(inflected_forms("Koski"), "municipality", m.name, "koski")
        for region in self.regions:
            forms = inflected_forms(region) | _adjective_forms(region)
            self._add_generated(forms, "region", region, region)
        self._add_region_specials()
        # Exact official and Swedish names and nicknames win over generated forms.
        for m in self.municipalities.values():
            self._add(m.name.lower(), "municipality", m.name, override=True)
            if m.name_sv and m.name_sv.lower() not in self._forms:
                self._add(m.name_sv.lower(), "municipality", m.name)
        for nick, name in _NICKNAMES.items():
            self._add(nick, "municipality", name, override=True)
            if len(nick) > 3 and nick[-1] not in _VOWELS:  # jyväs → jyväsillä
                for form in _forms_of_part(nick + "i"):
                    self._add(form, "municipality", name)
            elif len(nick) > 3:
                self._add_generated(inflected_forms(nick), "municipality", name, nick)
        for region in self.regions:
            self._add(region.lower(), "region", region, override=True)
        self.max_words = max(f.count(" ") for f in self._forms) + 1

    def _add_region_specials(self) -> None:
        for form in ("uudellamaalla", "uudeltamaalta", "uudellemaalle", "uudenmaan", "uusimaa",
                     "uudenmaalla", "uudenmaalle", "uudeltamaalta", "uusmaalainen",
                     "uusmaalaiset"):
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
        base = place_lemma(form)
        if base and base in self.municipalities:
            return ("municipality", base)
        if base and base in self.regions:
            return ("region", base)
        return None

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


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()


# ---------------------------------------------------------------------------------------------
# Voikko


@functools.lru_cache(maxsize=50_000)
def _analyses(word: str) -> tuple[dict, ...]:
    if _VOIKKO is None or not word or len(word) > 60:
        return ()
    try:
        return tuple(dict(a) for a in _VOIKKO.analyze(word))
    except Exception:  # noqa: BLE001 - Voikko rejects some inputs (control characters)
        return ()


def place_lemma(word: str) -> str | None:
    """The place-name base form Voikko gives for a word ("Kuopiossa" → "Kuopio"), if any."""
    for a in _analyses(word):
        if a.get("CLASS") == "paikannimi":
            return a.get("BASEFORM")
    return None


def lemma(word: str) -> str:
    """The most likely base form of a word, lower case ("yhdistyksiä" → "yhdistys")."""
    analyses = _analyses(word)
    if not analyses:
        return word.lower()
    for a in analyses:  # prefer common words over names for lemmas
        if a.get("CLASS") not in ("paikannimi", "etunimi", "sukunimi", "nimi"):
            return a.get("BASEFORM", word).lower()
    return analyses[0].get("BASEFORM", word).lower()


def is_known_word(word: str) -> bool:
    """True when Voikko recognises the word (any form of a Finnish word)."""
    return bool(_analyses(word))


def compound_boundaries(word: str) -> list[int]:
    """Character offsets where compound parts start in a word ("liikuntaseuroja" → [0, 8])."""
    bounds = {0}
    for a in _analyses(word):
        parts = re.findall(r"\+([^+(]*)\(([^)]*)\)", a.get("WORDBASES", ""))
        pos = 0
        for surface, base in parts:
            if pos and not base.startswith("+"):
                bounds.add(pos)
            pos += len(surface)
    return sorted(b for b in bounds if b < len(word))


# ---------------------------------------------------------------------------------------------
# Topics


def topic_of_word(word: str) -> str | None:
    """The topic key of one word, also inside a compound ("eläkeläisyhdistys" → "ikaantyneet")."""
    w = word.lower()
    if w in _TOPIC_WORDS:
        return _TOPIC_WORDS[w]
    if len(w) < 3 or w.startswith(_NOT_TOPIC):
        return None
    lemma_w = lemma(word)
    starts = compound_boundaries(word)
    candidates = [w[b:] for b in reversed(starts)] + [lemma_w]
    best: tuple[int, str] | None = None
    for i, cand in enumerate(candidates):
        at_word_start = cand in (w, lemma_w)
        for key, stems in _TOPIC_STEMS.items():
            for stem in stems:
                if cand.startswith(stem) and (at_word_start or stem not in _WORD_START_ONLY):
                    score = len(stem) * 100 + (len(candidates) - i)
                    if best is None or score > best[0]:
                        best = (score, key)
    return best[1] if best else None


def topic(text: str) -> str | None:
    """The topic key in a short text ("kuoroja" → "kulttuuri"), or None."""
    for tok in tokenize(text):
        key = topic_of_word(tok[2])
        if key:
            return key
    key = text.strip().lower()
    return key if key in TOPICS else None


# ---------------------------------------------------------------------------------------------
# Phone numbers

_DIGIT_WORDS = {
    "nolla": "0", "yksi": "1", "yks": "1", "ykkönen": "1", "kaksi": "2", "kaks": "2",
    "kakkonen": "2", "kolme": "3", "kolmonen": "3", "neljä": "4", "nelja": "4", "nelonen": "4",
    "viisi": "5", "viis": "5", "vitonen": "5", "kuusi": "6", "kuus": "6", "kutonen": "6",
    "seitsemän": "7", "seittemän": "7", "seitsemän.": "7", "seiska": "7", "seitseman": "7",
    "kahdeksan": "8", "kaheksan": "8", "kasi": "8", "yhdeksän": "9", "yheksän": "9",
    "ysi": "9", "yhdeksan": "9",
}  # fmt: skip
# Units inside compound number words ("kolmekymmentäneljä"), standard and spoken.
_UNITS = {"yksi": 1, "kaksi": 2, "kolme": 3, "neljä": 4, "viisi": 5, "kuusi": 6, "seitsemän": 7,
          "kahdeksan": 8, "yhdeksän": 9, "yks": 1, "kaks": 2, "viis": 5, "kuus": 6,
          "seittemän": 7, "kaheksan": 8, "yheksän": 9}  # fmt: skip


def _number_word(word: str) -> int | None:
    """A Finnish number word up to 999 ("kolmekymmentäneljä" → 34, "viisisataa" → 500)."""
    w = word.lower()
    if not w:
        return None
    if w == "nolla":
        return 0
    if w in _UNITS:
        return _UNITS[w]
    if w in ("kymmenen", "kymppi"):
        return 10
    for suffix in ("toista", "toist"):  # 11–19
        if w.endswith(suffix) and w[: -len(suffix)] in _UNITS:
            return 10 + _UNITS[w[: -len(suffix)]]
    for word_100, value in (("sataa", 100), ("sata", 100)):
        head, sep, tail = w.partition(word_100)
        if sep and (head == "" or head in _UNITS):
            rest = _number_word(tail) if tail else 0
            if rest is not None and rest < 100:
                return (_UNITS.get(head, 1)) * value + rest
    for word_10 in ("kymmentä", "kyt"):
        head, sep, tail = w.partition(word_10)
        if sep and head in _UNITS:
            rest = _UNITS.get(tail, 0) if tail else 0
            if tail and tail not in _UNITS:
                return None
            return _UNITS[head] * 10 + rest
    return None


def _spoken_digits(word: str) -> str | None:
    """The digits a spoken word stands for in a phone number: "nolla" → "0", "kaksitoista" → "12"."""
    w = word.lower()
    if w in _DIGIT_WORDS:
        return _DIGIT_WORDS[w]
    if w.isdigit():
        return w
    value = _number_word(w)
    return None if value is None else str(value)


_PHONE_RE = re.compile(r"(?<![\w+.])(?:\+|00)?\d[\d \-/()]{4,20}\d(?![\w.]\d)")
_DATE_LIKE = re.compile(r"^\d{1,4}[.\-/]\d{1,2}[.\-/]\d{1,4}$|^\d{1,2}[.:]\d{2}(\s*-\s*\d{1,2}[.:]\d{2})?$")


def normalize_phone(text: str) -> str | None:
    """E.164 form of a Finnish phone number in any written or spoken form, or None."""
    raw = text.strip()
    if not raw or len(raw) > 200:
        return None
    words = re.findall(r"[+\w]+", raw.lower())
    spoken = any(w in _DIGIT_WORDS or _number_word(w) is not None for w in words)
    if spoken and all(w == "plus" or _spoken_digits(w) is not None for w in words):
        raw = "".join("+" if w == "plus" else _spoken_digits(w) or "" for w in words)
    if _DATE_LIKE.match(raw.strip()) or re.search(r"[^\d\s+\-()/]", raw):
        return None
    digits = re.sub(r"[^\d+]", "", raw)
    if len(re.sub(r"\D", "", digits)) < 6 or "+" in digits[1:]:
        return None
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    try:
        number = phonenumbers.parse(digits, "FI")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_for_speech(e164: str) -> str:
    """A phone number in the national format, grouped so it reads aloud well."""
    try:
        number = phonenumbers.parse(e164, "FI")
    except phonenumbers.NumberParseException:
        return e164
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    prefix, _, rest = national.partition(" ")
    rest = rest.replace(" ", "")
    if rest.isdigit() and 6 <= len(rest) <= 8:  # 040 123 4567, 09 2525 0111, 0400 123 456
        cut = 4 if len(rest) == 8 else 3
        rest = f"{rest[:cut]} {rest[cut:]}"
    return f"{prefix} {rest}".strip()


def _phone_spans(text: str) -> Iterator[tuple[int, int, str]]:
    for m in _PHONE_RE.finditer(text):
        value = normalize_phone(m.group(0))
        if value:
            yield m.start(), m.end(), value
    # spoken digit by digit: "nolla neljä nolla viisi viisi viisi …"
    toks = tokenize(text)
    i = 0
    while i < len(toks):
        j = i
        digits = ""
        while j < len(toks) and (_spoken_digits(toks[j][2]) is not None
                                 or (j == i and toks[j][2].lower() == "plus")):
            w = toks[j][2].lower()
            digits += "+" if w == "plus" else _spoken_digits(w) or ""
            j += 1
        spoken = any(not toks[k][2].isdigit() for k in range(i, j))
        if spoken and len(digits.lstrip("+")) >= 6:
            value = normalize_phone(digits)
            if value:
                yield toks[i][0], toks[j - 1][1], value
                i = j
                continue
        i = max(i + 1, j)


# ---------------------------------------------------------------------------------------------
# Entity extraction

_TOKEN_RE = re.compile(r"[\w]+(?:[-:'’][\w]+)*", re.UNICODE)


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """Word tokens with character offsets; hyphenated words and "Kuopio:ssa" stay whole."""
    return [(m.start(), m.end(), m.group(0)) for m in _TOKEN_RE.finditer(text)]


def _context_allows(name: str, text: str, toks: list, idx: int, span_end: int) -> bool:
    word = toks[idx][2]
    lower_text = text.lower()
    negatives = _AMBIGUOUS[name]
    if any(neg in lower_text for neg in negatives):
        return False
    nxt = toks[span_end] if span_end < len(toks) else None
    if name in _FIRST_NAMES and nxt and nxt[2][:1].isupper():
        return False  # "Kaarina Virtanen" is a person
    if word[:1].isupper() and idx > 0:
        return True
    if len(toks) <= 3:
        return True  # a bare answer to "missä kunnassa asut?"
    return any(cue in lower_text for cue in _PLACE_CUES)


def extract_entities(text: str) -> list[Entity]:
    """All municipality, region, topic and phone_number entities in a message, normalized."""
    return list(_extract_entities(text))


@functools.lru_cache(maxsize=1024)  # the tokenizer and the extractor both ask for each message
def _extract_entities(text: str) -> tuple[Entity, ...]:
    if not text or len(text) > 5000:
        return ()
    gaz = gazetteer()
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for start, end, value in _phone_spans(text):
        if free(start, end):
            found.append(Entity("phone_number", value, start, end, text[start:end]))
            taken.append((start, end))

    toks = tokenize(text)
    i = 0
    while i < len(toks):
        hit = None
        for n in range(min(gaz.max_words, len(toks) - i), 0, -1):
            start, end = toks[i][0], toks[i + n - 1][1]
            if not free(start, end):
                continue
            words = " ".join(t[2] for t in toks[i : i + n])
            res = gaz.lookup(words) if n > 1 else gaz.lookup(toks[i][2])
            if res and not toks[i][2].isdigit():
                entity, value = res
                if entity == "municipality" and value in _AMBIGUOUS:
                    if not _context_allows(value, text, toks, i, i + n):
                        continue
                hit = (n, entity, value, start, end)
                break
        if hit:
            n, entity, value, start, end = hit
            found.append(Entity(entity, value, start, end, text[start:end]))
            taken.append((start, end))
            i += n
            continue
        i += 1

    topics_seen: set[str] = set()
    for start, end, word in toks:
        if free(start, end) and not word.isdigit():
            key = topic_of_word(word)
            if key and key not in topics_seen:  # one mention of a topic is enough
                topics_seen.add(key)
                found.append(Entity("topic", key, start, end, word))
                taken.append((start, end))
    return tuple(sorted(found, key=lambda e: e.start))


def entity_values(text: str, entity: str) -> list[str]:
    """The normalized values of one entity type in a text, in order."""
    return [e.value for e in extract_entities(text) if e.entity == entity]


def iter_municipalities() -> Iterable[Municipality]:
    return gazetteer().municipalities.values()


# ---------------------------------------------------------------------------------------------
# Safety: words that mean danger now or a person in crisis. The NLU's SafetyGuard uses these so
# that 112 and the crisis line win even when the classifier is unsure.

_CRISIS_PATTERNS = [
    r"itsemurh", r"\b(tapan|tappaa|tappais|tappaisin|lopetan|lopettaa) (itseni|itteni|ittensä|itsensä)\b",
    r"\b(haluan|haluun|haluaisin|tahdon) (vaan |vain )?kuolla\b", r"\ben (halua|jaksa) (enää )?elää\b",
    r"\b(viillän|viiltelen|viiltelyä|viiltely|satutan itseäni|satutan itteäni|vahingoitan itseäni)\b",
    r"\bei (ole|oo) (mitään )?(syytä|järkeä) elää\b", r"\bparempi (ilman minua|ilman mua|kuollut|kuolleena)\b",
    r"\b(hypätä|hyppään) (sillalta|junan alle|katolta)\b", r"\bkuolla pois\b",
    r"\belämä(ni)? ei (ole|oo) (enää )?elämisen arvoi", r"\bsietämät[öo]n", r"\btoivoton",
    r"\bhyvästikirje", r"\bpillerit valmiina", r"\b(kerännyt|keräillyt|säästänyt) (pillereitä|lääkkeitä)",
    r"\b(hypätä|hyppään|hyppäämistä|hyppäisin)\b", r"\bkriisipuhelin", r"\blyön päätä",
    r"\bitsetuho", r"\bei (ole|oo) (mitään )?(järkeä|syytä) (enää|elää)",
]  # fmt: skip
_EMERGENCY_PATTERNS = [
    r"(?<![\d] )(?<![\d-])\b112\b(?![ -]?\d)", r"\bambulanss", r"\bhätä(keskus|numero|tilanne)", r"^\W*(apua+|hätä|hätätilanne)\W*$",
    r"\btulipalo", r"\b(talo|asunto|keittiö|auto|sauna|rappu|kämppä|koti)\w* palaa\b", r"\bpalaa\b.*\b(talo|asunto|keittiö)",
    r"\bsavua\b", r"\bei hengitä", r"\bei (herää|heräa)\b", r"\btajuton", r"\btajuttom", r"\bsydänkohtau",
    r"\brintakipu", r"\b(kova|kovaa) kipu(a)? rinnassa", r"\baivoinfarkt", r"\baivohalvau", r"\bhalvaantu",
    r"\bverenvuoto", r"\bvuotaa (kovasti |paljon )?verta", r"\bkaatu\w* (eikä|ja ei) (pääse|pääsen|pysty)",
    r"\bmyrkyty", r"\b(hukkuu|hukkumassa|hukkui)\b", r"\bmurtau\w* (sisään|asuntoon|taloon)",
    r"\bpahoinpitel", r"\buhkaa (tappaa|lyödä|puukottaa)", r"\bpuukot", r"\bkolari\w* .*\b(loukkaan|verta|tajut)",
    r"\b(olin|jouduin|joutui|on sattunut) kolari", r"\bpoliisi\w* (nyt|heti|paikalle)",
    r"\ben saa (happea|henkeä)", r"\bei (reagoi|hengitä|herää)",
    # stroke signs (FAST): a drooping mouth, slurred speech, one side weak
    r"\bsuupiel\w* (roikku|on vino|valu)", r"\bsuu (on )?vino", r"\broikku\w* suupiel", r"\bsammalta", r"\bpuhe puuroutu",
    r"\b(toinen|toisen) (puoli|puolen|käsi|käden|jalka|jalan)\w* .*\b(ei|on) (toimi|nouse|liiku|halvaantu|tunnoton)",
]  # fmt: skip
_CRISIS_RE = re.compile("|".join(_CRISIS_PATTERNS))
_EMERGENCY_RE = re.compile("|".join(_EMERGENCY_PATTERNS))


def safety_intent(text: str) -> str | None:
    """"crisis" or "emergency" when a message clearly says so, else None."""
    lower = " ".join(text.lower().split())
    if _EMERGENCY_RE.search(lower):  # danger now first: "joku uhkaa tappaa minut"
        return "emergency"
    if _CRISIS_RE.search(lower):
        return "crisis"
    return None


# ---------------------------------------------------------------------------------------------
# Content words: what a question is about once the question words and the generic words are
# gone ("onko Kuopiossa shakkikerhoa" → ["shakkikerho"]), for free-text directory search.

_GENERIC_LEMMAS = set("""
olla ei voida pitää saada tulla mennä haluta etsiä tarvita löytyä kertoa tietää auttaa päästä
mikä mitä missä mistä mihin miten milloin kuka ketkä kenelle kuinka paljonko montako
joku jokin jotain kukaan mikään kaikki muu oma tämä tuo se ne nämä sellainen semmoinen
minä sinä hän me te he mä sä mun sun meidän teidän
ja tai sekä mutta kun jos että vai myös vielä jo nyt heti tänään huomenna täällä siellä tuolla
lähellä lähistö kiitos hei moi terve ole olis olisi onks onko onkos löytyykö löytyisikö
yhdistys järjestö seura kerho ryhmä porukka toiminta harrastus palvelu apu tuki neuvonta
kunta kaupunki alue seutu paikka paikkakunta maakunta kylä tieto asia juttu ihminen henkilö
tapahtuma tilaisuus avustus tuki tila koulutus kurssi mukaan vapaaehtoinen jäsen
lähin kanssa joka jossa jolla olisiko voisi vois voisitko sellaista jonkun jotakin mitään
""".split())


def content_words(text: str) -> list[str]:
    """Words that name what is asked about: not question words, places, phones or generic."""
    taken = [(e.start, e.end) for e in extract_entities(text)
             if e.entity in ("municipality", "region", "phone_number")]  # fmt: skip
    words = []
    for start, end, word in tokenize(text):
        if any(s <= start and end <= e for s, e in taken) or len(word) < 4 or word.isdigit():
            continue
        base = lemma(word)
        if base not in _GENERIC_LEMMAS and word.lower() not in _GENERIC_LEMMAS:
            words.append(word)
    return words
