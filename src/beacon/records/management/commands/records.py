"""``beacon records enter|modify|locate|clear|cancel|validate|show|history|search|due``.

Acts as the named system actor; calls the same services as the API. Bad input exits
with code 2 and names the field; a record you may not see, code 4.

    beacon records enter category=EMJ last_name=Garcia first_name=Lupe sex=F \\
        dob=2008-05-03 dlc=2021-05-01 oca=LC-21-0001 originating_ori=NM0070100
    beacon records modify M123456789 hair=BRO --version 1 --reason "new photo"
    beacon records locate M123456789 --place "El Paso, TX" --by "Ofc. Ruiz" \\
        --disposition "returned to guardian"
    beacon records clear M123456789 --how returned_to_guardian
    beacon records search --last Garcia --first Lupe --dob 2008-05-03
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.core.management.base import CommandParser

from beacon.core.commands import BeaconCommand
from beacon.core.errors import ValidationFailed
from beacon.records import services
from beacon.records.inputs import record_input_from
from beacon.records.schemas import record_out, transaction_out
from beacon.records.search import SearchQuery


def _pairs(items: list[str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValidationFailed.on(item or "field", "write field=value")
        if name in ("aliases", "alias_dobs", "smt"):
            parsed: object = [v for v in value.split("|") if v]
            if name == "aliases":
                parsed = [
                    {
                        "last_name": a.partition(",")[0].strip(),
                        "first_name": a.partition(",")[2].strip(),
                    }
                    for a in value.split("|")
                    if a
                ]
            values[name] = parsed
        else:
            values[name] = value
    return values


def _date(name: str, text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed.on(name, f"{text!r} is not a date (YYYY-MM-DD)") from None


def _when(name: str, text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed.on(name, f"{text!r} is not a date and time (ISO 8601)") from None


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, default=str, ensure_ascii=False)


class Command(BeaconCommand):
    help = "Enter, change, find and list missing-person records (NCIC-style)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        enter = sub.add_parser("enter", help="enter a record from field=value pairs")
        enter.add_argument("fields", nargs="+", metavar="field=value")
        enter.add_argument("--reason", default="")

        modify = sub.add_parser("modify", help="change fields of a record")
        modify.add_argument("nic")
        modify.add_argument("fields", nargs="+", metavar="field=value")

        locate = sub.add_parser("locate", help="another agency found the person")
        locate.add_argument("nic")
        locate.add_argument("--place", required=True)
        locate.add_argument("--by", dest="by_whom", required=True)
        locate.add_argument("--disposition", required=True)
        locate.add_argument("--at", help="when (ISO 8601 with time zone); now when omitted")
        locate.add_argument("--jurisdiction", help="country:XX, state:XX or county:NNNNN")

        clear = sub.add_parser("clear", help="the originating agency closes the record")
        clear.add_argument("nic")
        clear.add_argument("--how", required=True)
        clear.add_argument("--at", help="when (ISO 8601 with time zone); now when omitted")

        cancel = sub.add_parser("cancel", help="withdraw a record entered in error")
        cancel.add_argument("nic")

        validate = sub.add_parser("validate", help="confirm the record is still accurate")
        validate.add_argument("nic")

        for p, needs_reason in (
            (modify, False),
            (locate, False),
            (clear, False),
            (cancel, True),
            (validate, False),
        ):
            p.add_argument("--version", type=int, help="the version you saw (refused if stale)")
            p.add_argument("--reason", required=needs_reason, default="")

        show = sub.add_parser("show", help="one record")
        show.add_argument("nic")
        history = sub.add_parser("history", help="a record's transactions")
        history.add_argument("nic")

        search = sub.add_parser("search", help="find people by name, DOB and more")
        search.add_argument("--last", default="")
        search.add_argument("--first", default="")
        search.add_argument("--dob")
        search.add_argument("--dob-years", type=int)
        search.add_argument("--sex", default="")
        search.add_argument("--age-min", type=int)
        search.add_argument("--age-max", type=int)
        search.add_argument("--category", default="")
        search.add_argument("--status", default="")
        search.add_argument("--limit", type=int, default=10)

        sub.add_parser("due", help="what is overdue (validation, late juvenile entry)")
        sub.add_parser("reindex", help="recompute search keys after the name-variant table changed")

    def handle_command(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        getattr(self, f"do_{action}")(options)

    def _done(self, record: Any) -> None:
        self.stdout.write(f"{record.nic} version {record.version} status {record.status}")

    def do_enter(self, o: dict[str, Any]) -> None:
        data, errors = record_input_from(_pairs(o["fields"]))
        if data is None:
            first = next(iter(errors))
            raise ValidationFailed(f"{first}: {errors[first][0]}", fields=errors)
        self._done(services.enter_record(self.actor(), data, reason=o["reason"]))

    def do_modify(self, o: dict[str, Any]) -> None:
        record = services.modify_record(
            self.actor(),
            o["nic"],
            _pairs(o["fields"]),
            expected_version=o["version"],
            reason=o["reason"],
        )
        self._done(record)

    def do_locate(self, o: dict[str, Any]) -> None:
        record = services.locate_record(
            self.actor(),
            o["nic"],
            located_at=_when("at", o["at"]),
            place=o["place"],
            by_whom=o["by_whom"],
            disposition=o["disposition"],
            jurisdiction=o["jurisdiction"],
            expected_version=o["version"],
            reason=o["reason"],
        )
        self._done(record)

    def do_clear(self, o: dict[str, Any]) -> None:
        record = services.clear_record(
            self.actor(),
            o["nic"],
            how=o["how"],
            cleared_at=_when("at", o["at"]),
            expected_version=o["version"],
            reason=o["reason"],
        )
        self._done(record)

    def do_cancel(self, o: dict[str, Any]) -> None:
        self._done(
            services.cancel_record(
                self.actor(), o["nic"], reason=o["reason"], expected_version=o["version"]
            )
        )

    def do_validate(self, o: dict[str, Any]) -> None:
        self._done(
            services.validate_record(
                self.actor(), o["nic"], reason=o["reason"], expected_version=o["version"]
            )
        )

    def do_show(self, o: dict[str, Any]) -> None:
        self.stdout.write(_json(record_out(services.show_record(self.actor(), o["nic"])).dict()))

    def do_history(self, o: dict[str, Any]) -> None:
        rows = [transaction_out(t).dict() for t in services.history(self.actor(), o["nic"])]
        self.stdout.write(_json(rows))

    def do_search(self, o: dict[str, Any]) -> None:
        query = SearchQuery(
            last_name=o["last"],
            first_name=o["first"],
            dob=_date("dob", o["dob"]),
            dob_years=o["dob_years"],
            sex=o["sex"].upper(),
            age_min=o["age_min"],
            age_max=o["age_max"],
            category=o["category"].upper(),
            status=o["status"].lower(),
            limit=o["limit"],
        )
        hits = services.search_records(self.actor(), query)
        if not hits:
            self.stdout.write("No match.")
            searched = getattr(hits, "searched", [])
            if searched:
                self.stdout.write(f"Searched: {'; '.join(searched)}")
            for suggestion in getattr(hits, "suggestions", []):
                self.stdout.write(f"Try: {suggestion}")
        for h in hits:
            self.stdout.write(
                f"{h.score:.3f}  {h.nic}  {h.last_name}, {h.first_name} {h.middle_name}".rstrip()
                + f"  {h.dob or '----------'}  {h.sex}  {h.category}  {h.status}  {h.originating_ori}"
            )
            self.stdout.write(f"       {'; '.join(h.reasons)}")

    def do_reindex(self, o: dict[str, Any]) -> None:
        self.stdout.write(f"{services.reindex_all(self.actor()):,} search keys written.")

    def do_due(self, o: dict[str, Any]) -> None:
        items = services.due_records(self.actor())
        if not items:
            self.stdout.write("Nothing is overdue.")
        for i in items:
            days = i.overdue_by.total_seconds() / 86400
            self.stdout.write(
                f"{i.nic}  {i.rule:<10}  due {i.due_at:%Y-%m-%d %H:%M}  overdue {days:.1f} days"
                f"  {i.originating_ori}  {i.last_name}, {i.first_name}"
            )
