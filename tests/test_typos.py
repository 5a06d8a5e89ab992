"""One typo tolerance (finnish.typos) for the times reader, the NLU's vocabulary check
and the place names: tested here once, and through each user."""

from __future__ import annotations

import pytest

import finnish
from finnish.times import parse_time
from finnish.typos import deletions, edit_distance, one_edit


@pytest.mark.parametrize(
    "a,b,one",
    [
        ("kiitos", "kiitoss", True),  # added
        ("huomenna", "huomena", True),  # dropped
        ("tiistaina", "tiistiana", True),  # two swapped
        ("kuopio", "kuopia", True),  # changed
        ("kuopio", "kuopiossa", False),
        ("aamulla", "illalla", False),
    ],
)
def test_one_edit(a: str, b: str, one: bool) -> None:
    assert one_edit(a, b) is one and one_edit(b, a) is one


def test_words_one_edit_apart_share_a_deletion() -> None:
    assert deletions("kiitos") & deletions("kiitoss")
    assert not deletions("aamulla") & deletions("illalla")
    assert edit_distance("rovanimellä", "rovaniemellä", 3) == 1
    assert edit_distance("kuopio", "helsinki", 3) == 3  # stops as soon as it is that far


def test_its_users_forgive_one_typo() -> None:
    assert parse_time("huomena aamulla") is not None  # the times reader
    assert finnish.gazetteer().near("rovanimellä") == ("municipality", "Rovaniemi")  # places
