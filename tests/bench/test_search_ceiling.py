"""bench/search_ceiling.py: which one-error queries their own data leave ambiguous."""

from __future__ import annotations

from datetime import date

from bench.search_ceiling import Registry, ceiling, values

BORN = date(2012, 3, 14)


def test_a_changed_surname_ties_with_every_child_of_that_given_name_dob_and_sex() -> None:
    truth = values("Lopez", "Ana", BORN, "F")
    registry = Registry(
        [truth, values("Reyes", "Ana", BORN, "F"), values("Cruz", "Ana", BORN, "M")]
    )
    query = values("Garcia", "Ana", BORN, "F")  # another surname altogether
    assert ceiling(registry, truth, query, ["surname_changed"]) == 0.5  # Reyes ties; Cruz is a boy


def test_a_hyphenated_new_surname_is_related_to_the_old_one() -> None:
    truth = values("Lopez", "Ana", BORN, "F")
    registry = Registry([truth, values("Reyes", "Ana", BORN, "F")])
    query = values("Lopez-Garcia", "Ana", BORN, "F")
    assert ceiling(registry, truth, query, ["surname_change"]) == 1.0


def test_a_namesake_born_on_the_dob_given_agrees_better_than_a_slip() -> None:
    truth = values("Lopez", "Ana", BORN, "F")
    slipped = date(2013, 3, 14)
    registry = Registry([truth, values("Lopez", "Ana", slipped, "F")])
    query = values("Lopez", "Ana", slipped, "F")
    assert ceiling(registry, truth, query, ["dob_year"]) == 0.0
    alone = Registry([truth])
    assert ceiling(alone, truth, query, ["dob_year"]) == 1.0


def test_a_field_left_out_counts_everyone_who_agrees_on_the_others() -> None:
    truth = values("Lopez", "Ana", BORN, "F")
    registry = Registry(
        [truth, values("Lopez", "Rosa", BORN, "F"), values("Lopez", "Eva", BORN, "F")]
    )
    query = values("Lopez", "", BORN, "F")
    assert abs(ceiling(registry, truth, query, ["first_missing"]) - 1 / 3) < 1e-9
