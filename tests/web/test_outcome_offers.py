"""Outcome taps: only those the registry will accept are offered, the rest explained."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client

from beacon.operations.models import Outcome, Target

ClientAs = Callable[[str], Client]
OPERATION = "RESCUE-ME-2021"
LCPD = "Las Cruces Police Department"


def _row(html: str, ref: str) -> str:
    found = re.search(rf'<tr id="target-{ref}">.*?</tr>', html, re.S)
    assert found, f"target {ref} is not listed"
    return found.group(0)


def _offered(row: str) -> set[str]:
    return set(re.findall(r'<button type="submit" name="how" value="(\w+)"', row))


def _lcpd_target() -> Target:
    target = (
        Target.objects.filter(
            operation__code=OPERATION,
            outcome__isnull=True,
            record__originating_agency__name=LCPD,
            record__status="active",
        )
        .select_related("record")
        .first()
    )
    assert target is not None
    return target


def test_a_partner_agency_is_offered_located_only_and_told_who_clears(
    client_as: ClientAs,
) -> None:
    target = _lcpd_target()
    html = client_as("investigator.hsi").get(f"/operations/{OPERATION}/targets/").content.decode()
    row = _row(html, target.ref)
    assert _offered(row) == {
        "returned_voluntarily",
        "with_friends_or_relatives",
        "other_jurisdiction",
        "welfare_check",
    }
    assert LCPD in row and target.record.nic in row
    assert 'class="danger"' not in row  # an outcome is good news, not a destructive act


def test_the_originating_agency_is_offered_recovery_only(client_as: ClientAs) -> None:
    target = _lcpd_target()
    html = client_as("investigator.lcpd").get(f"/operations/{OPERATION}/targets/").content.decode()
    row = _row(html, target.ref)
    assert _offered(row) == {"returned_to_guardian", "placed_with_child_welfare"}
    assert "Your agency entered record" in row


def test_every_offered_tap_is_accepted(client_as: ClientAs) -> None:
    outstanding = Target.objects.filter(
        operation__code=OPERATION, outcome__isnull=True, record__status="active"
    )
    others = outstanding.exclude(record__originating_agency__name=LCPD)
    pick: list[tuple[str, Callable[[], Target | None]]] = [
        ("investigator.lcpd", _lcpd_target),  # recovers its own record
        ("investigator.hsi", others.first),  # locates another agency's
    ]
    for username, choose in pick:
        target = choose()  # chosen after the previous tap, among those still outstanding
        assert target is not None
        client = client_as(username)
        url = f"/operations/{OPERATION}/targets/"
        how = sorted(_offered(_row(client.get(url).content.decode(), target.ref)))[0]
        response = client.post(
            f"{url}{target.ref}/outcome/", {"how": how}, headers={"HX-Request": "true"}
        )
        assert "field-error" not in response.content.decode()
        assert Outcome.objects.get(target=target).how == how
