"""Reference data the migrations load survives the flush that cleans a committing test.

pytest-django flushes every table after a ``transaction=True`` test; with xdist a
worker may then run ordinary tests that expect the jurisdictions and the name-variant
table the migrations loaded. tests/conftest.py puts them back after each flush.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from beacon.agencies.models import Jurisdiction
from beacon.records.models import NameVariant


@pytest.mark.django_db(transaction=True)
def test_jurisdictions_and_name_variants_are_back_after_a_flush() -> None:
    call_command("flush", "--noinput", verbosity=0)
    assert Jurisdiction.objects.filter(kind="country").count() == 249
    assert Jurisdiction.objects.filter(kind="county", code="35013").exists()
    assert NameVariant.objects.exists()
