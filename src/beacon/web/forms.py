"""Event entry forms: parse and label the input; the operations services hold the rules.

Forms only check shape (required, number, choice); every business rule (ages within a
range, agency takes part, ...) is the service's, and its field messages are shown next
to the same fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from beacon.agencies.models import Agency, Jurisdiction
from beacon.operations import codes


class EventForm(forms.Form):
    """Fields every field event has: agency, jurisdiction, time, notes."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Agency"))
    jurisdiction = forms.ModelChoiceField(
        queryset=Jurisdiction.objects.none(), label=_("Jurisdiction")
    )
    at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(
        self,
        *args: Any,
        agencies: Any = None,
        jurisdictions: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        if jurisdictions is not None:
            self.fields["jurisdiction"].queryset = jurisdictions  # type: ignore[attr-defined]

    def prefill(self, own_agency_id: int | None, now: datetime) -> None:
        """On a phone every tap counts: fill what has one sensible answer (the officer's
        own agency when it takes part, the only agency or place there is, and now)."""
        agency_field = self.fields["agency"]
        place_field = self.fields["jurisdiction"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        assert isinstance(place_field, forms.ModelChoiceField)
        assert agency_field.queryset is not None and place_field.queryset is not None
        agencies = list(agency_field.queryset.values_list("pk", flat=True))
        if own_agency_id in agencies:
            self.initial.setdefault("agency", own_agency_id)
        elif len(agencies) == 1:
            self.initial.setdefault("agency", agencies[0])
        places = list(place_field.queryset.values_list("pk", flat=True)[:2])
        if len(places) == 1:
            self.initial.setdefault("jurisdiction", places[0])
        self.initial.setdefault("at", now.replace(second=0, microsecond=0))


class PersonFields(forms.Form):
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=60)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=60)


class ArrestForm(EventForm, PersonFields):
    role = forms.ChoiceField(label=_("Role"), choices=codes.ArrestRole.choices)
    charges = forms.CharField(label=_("Charges"), required=False)
    nibrs = forms.ChoiceField(
        label=_("NIBRS offence"), required=False, choices=[("", "—"), *codes.Nibrs.choices]
    )
    warrants_served = forms.IntegerField(
        label=_("Outstanding warrants served"), min_value=0, initial=0
    )
    prior_registered_offender = forms.BooleanField(
        label=_("Prior registered offender"), required=False
    )


# A sensitive answer is never pre-selected: an untouched select submits "" and is
# refused, so a victim is never saved as a consenting male minor by default. "Unknown"
# and "Not asked" are answers the officer chooses, not what the form assumes.
NOT_CHOSEN: list[tuple[str, str | Promise]] = [("", _("— choose one —"))]
MUST_CHOOSE = {
    "required": _("Choose one: \u201cUnknown\u201d or \u201cNot asked\u201d if you do not know.")
}


def _answer(label: Any, choices: list[tuple[str, Any]]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=NOT_CHOSEN + list(choices), error_messages=MUST_CHOOSE
    )


class VictimForm(EventForm, PersonFields):
    age_min = forms.IntegerField(label=_("Age (or youngest)"), required=False, min_value=0)
    age_max = forms.IntegerField(label=_("Age (oldest, for a range)"), required=False, min_value=0)
    age_group = _answer(_("Minor or adult"), codes.AgeGroup.choices)
    sex = _answer(_("Sex"), codes.Sex.choices)
    self_identification = _answer(_("Identifies as"), codes.SelfIdentification.choices)
    consent = _answer(_("Services"), codes.Consent.choices)


class WarrantForm(EventForm):
    place = forms.CharField(label=_("Place"), required=False, max_length=200)


class RaidForm(EventForm):
    kind = forms.ChoiceField(label=_("Kind of site"), choices=codes.RaidKind.choices)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)


class SeizureForm(EventForm):
    cash_amount = forms.DecimalField(
        label=_("Cash amount"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    currency = forms.CharField(label=_("Currency (ISO 4217)"), required=False, max_length=3)
    devices = forms.IntegerField(label=_("Devices"), min_value=0, initial=0)
    file_count = forms.IntegerField(label=_("Files"), min_value=0, initial=0)
    file_count_qualifier = forms.ChoiceField(
        label=_("File count is"), choices=codes.Qualifier.choices
    )


class ServiceForm(EventForm):
    victim = forms.ChoiceField(label=_("Victim"))
    kind = forms.ChoiceField(label=_("Service"), choices=codes.ServiceKind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=codes.ServiceStatus.choices)


class ReferralForm(EventForm):
    victim = forms.ChoiceField(label=_("Victim"))
    to_agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Referred to"))


class InvestigationForm(EventForm):
    type = forms.ChoiceField(label=_("Type"), choices=codes.InvestigationType.choices)
    summary = forms.CharField(label=_("Summary"), required=False, max_length=300)


class FigureForm(forms.Form):
    """A figure a partner published without records: always with its source."""

    metric = forms.CharField(label=_("Metric"), max_length=60)
    value = forms.DecimalField(label=_("Value"), max_digits=16, decimal_places=2)
    qualifier = forms.ChoiceField(label=_("Qualifier"), choices=codes.Qualifier.choices)
    source_name = forms.CharField(label=_("Source (who published it)"), max_length=200)
    source_date = forms.DateField(
        label=_("Source date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    source_document = forms.CharField(label=_("Document"), required=False, max_length=300)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


KINDS: dict[str, tuple[type[forms.Form], str | Promise]] = {
    "arrest": (ArrestForm, _("Arrest")),
    "victim": (VictimForm, _("Victim identified or rescued")),
    "warrant": (WarrantForm, _("Search warrant executed")),
    "raid": (RaidForm, _("Raid or site visit")),
    "seizure": (SeizureForm, _("Seizure")),
    "service": (ServiceForm, _("Service offered or provided")),
    "referral": (ReferralForm, _("Referral")),
    "investigation": (InvestigationForm, _("Investigation opened")),
    "figure": (FigureForm, _("Reported figure")),
}
