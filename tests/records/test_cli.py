"""``beacon records ...``: the same services, exit code 2 on bad input, 4 on unknown NIC."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from beacon.agencies.models import Agency
from beacon.records.models import MissingPersonRecord

DLC = (timezone.localdate() - timedelta(days=3)).isoformat()


def run(*args: str) -> str:
    out = StringIO()
    call_command("records", *args, stdout=out)
    return out.getvalue()


def enter_one() -> str:
    out = run(
        "enter",
        "category=EMJ",
        "last_name=Begay",
        "first_name=Tyrell",
        "sex=M",
        "dob=2009-11-20",
        f"dlc={DLC}",
        "oca=NN-1",
        "originating_ori=NM0070100",
        "aliases=Begay, Ty",
    )
    return out.split()[0]


@pytest.fixture
def nic(agency_a: Agency) -> str:
    return enter_one()


def test_enter_show_modify_history(nic: str) -> None:
    assert MissingPersonRecord.objects.get(nic=nic).status == "active"
    assert '"last_name": "Begay"' in run("show", nic)
    assert "version 2" in run("modify", nic, "hair=BLK", "--version", "1", "--reason", "photo")
    assert '"kind": "modify"' in run("history", nic)


def test_locate_then_clear(nic: str) -> None:
    assert "status located" in run(
        "locate", nic, "--place", "Gallup, NM", "--by", "Ofc. Yazzie", "--disposition", "with uncle"
    )
    assert "status cleared" in run("clear", nic, "--how", "located_by_other_agency")


def test_validate_and_cancel(nic: str) -> None:
    assert "version 2" in run("validate", nic)
    assert "status cancelled" in run("cancel", nic, "--reason", "entered twice")


def test_search_prints_scored_hits(nic: str) -> None:
    out = run("search", "--last", "Bagay", "--first", "Tyrel", "--dob", "2009-11-20")
    assert nic in out and "Begay, Tyrell" in out


def test_search_with_no_match_says_what_was_searched(nic: str) -> None:
    out = run("search", "--last", "Zyxwvutsrq", "--first", "Qqqq", "--dob", "1950-01-01")
    assert "No match." in out
    assert "Searched: surname ZYXWVUTSRQ" in out
    assert "Try: " in out


def test_due_with_nothing_overdue(nic: str) -> None:
    assert "Nothing is overdue" in run("due")


def test_bad_field_exits_2_naming_it(agency_a: Agency) -> None:
    with pytest.raises(CommandError) as caught:
        run(
            "enter",
            "category=EMJ",
            "last_name=Begay",
            "sex=X",
            f"dlc={DLC}",
            "oca=NN-2",
            "originating_ori=NM0070100",
            "dob=2009-11-20",
        )
    assert caught.value.returncode == 2
    assert "sex:" in str(caught.value)


def test_bad_date_exits_2(nic: str) -> None:
    with pytest.raises(CommandError) as caught:
        run("search", "--last", "Begay", "--dob", "20-11-2009")
    assert caught.value.returncode == 2
    assert "dob" in str(caught.value)


def test_stale_version_exits_2_and_changes_nothing(nic: str) -> None:
    run("modify", nic, "hair=BLK", "--version", "1")
    with pytest.raises(CommandError) as caught:
        run("modify", nic, "hair=RED", "--version", "1")
    assert caught.value.returncode == 2
    assert MissingPersonRecord.objects.get(nic=nic).hair == "BLK"


def test_illegal_move_exits_2_saying_why(nic: str) -> None:
    run("cancel", nic, "--reason", "entered twice")
    with pytest.raises(CommandError) as caught:
        run("locate", nic, "--place", "x", "--by", "y", "--disposition", "z")
    assert caught.value.returncode == 2
    assert "cancelled" in str(caught.value)


def test_unknown_nic_exits_4(agency_a: Agency) -> None:
    with pytest.raises(CommandError) as caught:
        run("show", "M000000000")
    assert caught.value.returncode == 4


def test_reindex_rebuilds_the_same_keys(nic: str) -> None:
    from beacon.records.models import NameKey

    before = set(NameKey.objects.values_list("key", "record_id"))
    assert "search keys written" in run("reindex")
    assert set(NameKey.objects.values_list("key", "record_id")) == before


def test_the_cli_acting_as_a_user_obeys_the_need_to_know_policy(
    nic: str, agency_a: Agency, agency_b: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    from beacon.access import services as accounts
    from beacon.core.actor import system_actor

    accounts.create_user(
        system_actor(), "own.inv", "a long passphrase 1234", agency_a, "investigator"
    )
    accounts.create_user(
        system_actor(), "other.inv", "a long passphrase 1234", agency_b, "investigator"
    )
    monkeypatch.setenv("BEACON_CLI_USER", "own.inv")
    assert '"last_name": "Begay"' in run("show", nic)
    monkeypatch.setenv("BEACON_CLI_USER", "other.inv")
    with pytest.raises(CommandError) as hidden:
        run("show", nic)
    assert hidden.value.returncode == 4
    monkeypatch.setenv("BEACON_CLI_USER", "nobody")
    with pytest.raises(CommandError, match="no active account") as unknown:
        run("show", nic)
    assert unknown.value.returncode == 2
