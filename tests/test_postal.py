"""Postal codes to municipalities (finnish.postal), every one of them a municipality the
gazetteer knows."""

from __future__ import annotations

import pytest

import finnish
from finnish.postal import municipality_of_postal_code, postal_codes


@pytest.mark.parametrize(
    "code,municipality",
    [("70100", "Kuopio"), ("00100", "Helsinki"), ("96100", "Rovaniemi"), ("40100", "Jyväskylä")],
)
def test_a_postal_code_names_its_municipality(code: str, municipality: str) -> None:
    assert municipality_of_postal_code(code) == municipality


@pytest.mark.parametrize("code", ["", "7010", "701000", "abcde", "00000", " 7 0 1 0 0", "70100x"])
def test_what_is_no_postal_code_in_use_names_nothing(code: str) -> None:
    assert municipality_of_postal_code(code) is None


def test_every_code_names_a_municipality_the_gazetteer_knows() -> None:
    table = postal_codes()
    assert len(table) > 5000
    known = finnish.gazetteer().municipalities
    assert {m for m in table.values() if m not in known} == set()
