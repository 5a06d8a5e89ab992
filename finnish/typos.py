"""Typo tolerance, one way for the whole package: a letter changed, added, dropped or two
swapped. The times reader, the NLU's vocabulary check and the place names use these."""

from __future__ import annotations


def deletions(word: str) -> set[str]:
    """The word and every form of it with one letter left out: two words one edit apart share
    one of these (an index of them finds a typo's word without comparing with every word)."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def one_edit(a: str, b: str) -> bool:
    """True when b is a with at most one letter changed, added, dropped or two swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        swapped = i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i]
        return a[i + 1 :] == b[i + 1 :] or (swapped and a[i + 2 :] == b[i + 2 :])
    return a[i + 1 :] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1 :]


def edit_distance(a: str, b: str, stop: int) -> int:
    """Levenshtein distance, or `stop` as soon as it is clear the distance is at least that
    (for more than one edit: a long place name misheard)."""
    if abs(len(a) - len(b)) >= stop:
        return stop
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        low = i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
            low = min(low, row[j])
        if low >= stop:
            return stop
    return min(row[-1], stop)
