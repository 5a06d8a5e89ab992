"""Topic keys (contract §3) from words, also inside compounds ("eläkeläisyhdistys")."""

from __future__ import annotations

from finnish.datafiles import load
from finnish.morphology import compound_boundaries, lemma
from finnish.tokens import tokenize

TOPICS: tuple[str, ...] = (
    "liikunta",
    "kulttuuri",
    "ikaantyneet",
    "lapset_ja_perheet",
    "nuoret",
    "mielenterveys",
    "paihteet",
    "vammaiset",
    "terveys",
    "kylatoiminta",
    "omaishoito",
    "ystavatoiminta",
    "maahanmuuttajat",
    "ymparisto",
    "vapaaehtoistyo",
    "digituki",
)

_DATA = load("topics.yml")
_STEMS: dict[str, list[str]] = _DATA["stems"]
_WORDS: dict[str, str] = _DATA["words"]
_NOT_TOPIC = tuple(_DATA["not_topic"])
_WORD_START_ONLY = frozenset(_DATA["word_start_only"])


def topic_of_word(word: str) -> str | None:
    """The topic key of one word, also inside a compound ("eläkeläisyhdistys" → "ikaantyneet")."""
    w = word.lower()
    if w in _WORDS:
        return _WORDS[w]
    if len(w) < 3 or w.startswith(_NOT_TOPIC):
        return None
    lemma_w = lemma(word)
    starts = compound_boundaries(word)

    def part(pos: int) -> int:
        return sum(1 for b in starts if b <= pos)

    # The head of a compound decides ("senioriliikunta" is liikunta; "eläkeläisyhdistys" has no
    # topic in its head, so its first part does): the match reaching the rightmost part wins,
    # then the longest ("mielenterveysyhdistys" is mielenterveys, not terveys).
    best: tuple[int, int, str] | None = None
    for start, cand in [(b, w[b:]) for b in starts] + [(0, lemma_w)]:
        at_word_start = start == 0
        for key, stems in _STEMS.items():
            for stem in stems:
                if cand.startswith(stem) and (at_word_start or stem not in _WORD_START_ONLY):
                    score = (part(start + len(stem) - 1), len(stem), key)
                    if best is None or score[:2] > best[:2]:
                        best = score
    return best[2] if best else None


def topic(text: str) -> str | None:
    """The topic key in a short text ("kuoroja" → "kulttuuri"), or None."""
    for _, _, word in tokenize(text):
        key = topic_of_word(word)
        if key:
            return key
    key = text.strip().lower()
    return key if key in TOPICS else None


def topic_phrases(text: str) -> list[tuple[int, int, str]]:
    """Topics said in more than one word ("hoidan miestäni" → omaishoito): the stems with a
    space in data/topics.yml, each at a word start; (start, end, key)."""
    lower = text.lower()
    found = []
    for key, stems in _STEMS.items():
        for stem in stems:
            if " " not in stem:
                continue
            at = lower.find(stem)
            while at != -1:
                if at == 0 or not lower[at - 1].isalnum():
                    end = at + len(stem)
                    while end < len(lower) and lower[end].isalnum():
                        end += 1
                    found.append((at, end, key))
                    break
                at = lower.find(stem, at + 1)
    return sorted(found)
