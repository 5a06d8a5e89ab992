"""Case forms of Finnish place names, generated so that any inflected name can be recognised.

We only need to *recognise* inflected names, so every plausible case form of each name is
generated (both vowel harmonies, strong and weak grade stems) and tokens are looked up.
"""

from __future__ import annotations

FRONT = str.maketrans("aou", "äöy")
VOWELS = "aeiouyäö"


def _weak_grades(stem: str) -> set[str]:
    """Weak-grade variants of a vowel stem ("turku" → "turu", "lahte" → "lahde")."""
    out: set[str] = set()
    if len(stem) < 3 or stem[-1] not in VOWELS or stem[-2] in VOWELS:
        return out
    head, last = stem[:-1], stem[-1]
    rules = (
        ("kk", "k"),
        ("pp", "p"),
        ("tt", "t"),
        ("nk", "ng"),
        ("mp", "mm"),
        ("nt", "nn"),
        ("lt", "ll"),
        ("rt", "rr"),
        ("ht", "hd"),
        ("lk", "l"),
        ("lk", "lj"),
        ("rk", "r"),
        ("rk", "rj"),
        ("hk", "h"),
        ("uku", "uvu"),
        ("yky", "yvy"),
    )
    for strong, weak in rules:
        if (head + last).endswith(strong) and strong.endswith(last):  # uku/yky include the vowel
            out.add(stem[: -len(strong)] + weak)
        elif head.endswith(strong):
            out.add(head[: -len(strong)] + weak + last)
    if len(head) >= 2 and head[-2] in VOWELS and head[-1] in "kpt":
        single = {"k": "", "p": "v", "t": "d"}[head[-1]]
        out.add(head[:-1] + single + last)
    return out


def _strong_grades(stem: str) -> set[str]:
    """Strong-grade variants for names whose nominative is weak ("pudas" → "putaa")."""
    out: set[str] = set()
    pairs = (
        ("d", "t"),
        ("ng", "nk"),
        ("mm", "mp"),
        ("nn", "nt"),
        ("v", "p"),
        ("rr", "rt"),
        ("ll", "lt"),
    )
    for weak, strong in pairs:
        idx = stem.rfind(weak, 0, len(stem) - 1)
        if idx > 0 and all(c in VOWELS for c in stem[idx + len(weak) :]):
            out.add(stem[:idx] + strong + stem[idx + len(weak) :])
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
        stems |= {s + "i" for s in _strong_grades(base + "a")}  # genitive: Virtain
    elif w[-1] not in VOWELS:  # Swedish names: Finström → Finströmissä
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
    "",
    "n",
    "ssa",
    "sta",
    "lla",
    "lta",
    "lle",
    "na",
    "ksi",
    "a",
    "ta",
    "han",
    "hin",
    "seen",
    "an",
    "en",
    "in",
    "on",
    "un",
    "yn",
    "än",
    "ön",
    "ten",
    "sten",
    "ihin",
    "issa",
    "illa",
    "ista",
    "ilta",
    "ille",
    "ina",
    "iksi",
    "ia",
    "ja",
    "s",
    "st",
    "l",
    "lt",  # spoken: Turus, Kuopiost, Tampereel
)


def forms_of_part(part: str) -> set[str]:
    forms: set[str] = set()
    stems = _stems(part)
    stems |= {s.replace("d", "", 1) for s in stems if s.count("d") == 1 and "d" not in part}
    for stem in stems:
        for ending in _ENDINGS:
            if ending.endswith("n") and len(ending) == 2 and ending[0] in VOWELS:
                if ending[0] != stem[-1]:  # illative lengthens the stem's own last vowel
                    continue
            for e in {ending, ending.translate(FRONT)}:
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
        tails = forms_of_part(tail)
        return {head + j + t for t in tails for j in (sep, " ", "", "-")}
    for prefix, prefix_stems in (("uusi", ("uude", "uute", "uusi")), ("iso", ("iso",))):
        rest = lower[len(prefix) :]
        if lower.startswith(prefix) and len(rest) > 3:
            out = forms_of_part(lower)
            for stem in _stems(rest):
                for ending in ("ssa", "lla", "sta", "lta", "lle", "n", "en", "na"):
                    for e2 in {ending, ending.translate(FRONT)}:  # Isossakyrössä
                        out |= {ps + ending + stem + e2 for ps in prefix_stems}
                    out |= {
                        ps + ending + stem + ending2
                        for ps in prefix_stems
                        for ending2 in ("seen", "hin", "in", "en", "iin")
                    }
            return out
    return forms_of_part(lower)


def adjective_forms(name: str) -> set[str]:
    """Inhabitant adjectives: kuopiolainen, rovaniemeläinen, helsinkiläiset, "nurmeslaiselle
    yhdistykselle"."""
    lower = name.lower().replace("-", "")
    if " " in lower:
        return set()
    bases = {lower}
    if lower.endswith("i") and len(lower) > 3:
        bases.add(lower[:-1] + "e")
    out = set()
    for base in bases:
        for suffix in (
            "lainen",
            "laisen",
            "laiset",
            "laisten",
            "laisia",
            "laisille",
            "laisten",
            "laista",
            "laisena",
            "laiselle",
            "laisella",
            "laiselta",
            "laisessa",
            "laisesta",
            "laiseen",
            "laisilla",
            "laisilta",
            "laisissa",
        ):
            out |= {base + suffix, base + suffix.translate(FRONT)}
    return out


def allative(name: str) -> str:
    """A person's name said to whom ("Oskari Rautio" → "Oskari Rautiolle"): the last name
    inflected the way most Finnish surnames are (-nen → -selle, a vowel → -lle, else -ille)."""
    parts = name.split()
    if not parts:
        return name
    last = parts[-1]
    if last.endswith("nen"):
        last = last[:-3] + "selle"
    elif last[-1].lower() in "aeiouyäö":
        last += "lle"
    else:
        last += "ille"
    return " ".join([*parts[:-1], last])
