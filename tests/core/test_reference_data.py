"""Reference data the migrations load survives the flush that follows a committing test.

The two tests run in file order on one worker: the first commits (and is cleaned by a
flush), the second must still see what the migrations loaded.
"""

from __future__ import annotations

import pytest

from beacon.agencies.models import Jurisdiction
from beacon.records.models import NameVariant


@pytest.mark.django_db(transaction=True)
def test_a_committing_test_runs_first() -> None:
    assert Jurisdiction.objects.filter(kind="state", abbreviation="NM").exists()


@pytest.mark.django_db
def test_jurisdictions_and_name_variants_are_still_there_after_the_flush() -> None:
    assert Jurisdiction.objects.filter(kind="country").count() == 249
    assert Jurisdiction.objects.filter(kind="county", code="35013").exists()
    assert NameVariant.objects.exists()
