"""What interchange keeps beside the registry and operations: partners' identifiers,
the PFIF facts a lead does not hold, and NIBRS offences with their clearance."""

from __future__ import annotations

from django.db import models

from beacon.access.scoping import VisibleThrough
from beacon.agencies.models import Agency
from beacon.interchange import codes
from beacon.operations.models import Lead, Victim
from beacon.records.models import MissingPersonRecord


class ExternalId(models.Model):
    """An identifier another system gives a record (PFIF ``domain/local-id``, a state NIC)."""

    record = models.ForeignKey(
        MissingPersonRecord, on_delete=models.CASCADE, related_name="external_ids"
    )
    scheme = models.CharField(max_length=16)  # pfif | ncic | htcds
    value = models.CharField(max_length=500)
    source = models.CharField(max_length=200, blank=True)  # file name or partner
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleThrough["ExternalId"]("record")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="external_id_scheme_value")
        ]
        indexes = [models.Index(fields=["record", "scheme"], name="external_id_record")]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


class PfifPerson(models.Model):
    """A partner's PFIF person as its source gave it (PFIF 1.4 field names), beside the
    registry record it was entered as: the fields the registry does not hold (home
    address, photo and profile URLs, author, source, age, a partial date of birth, the
    full name as written) go back out unchanged. ``beacon`` holds the values Beacon
    derived from the registry record when the copy was stored: a field the registry has
    changed since is exported from the registry, the others as the source gave them.

    ``source_date`` orders a partner's versions of the person (PFIF 1.4 section 3.2: the
    copy with the latest source_date wins). After ``expiry_date`` (section 3.3) the copy
    keeps no personal data and the person is not exported again.
    """

    record = models.ForeignKey(
        MissingPersonRecord, on_delete=models.CASCADE, related_name="pfif_persons"
    )
    person_record_id = models.CharField(max_length=500, unique=True)
    fields = models.JSONField(default=dict)
    beacon = models.JSONField(default=dict)
    source_date = models.DateTimeField()
    expiry_date = models.DateTimeField(null=True, blank=True)
    stored_at = models.DateTimeField()
    source = models.CharField(max_length=200, blank=True)  # file name

    objects = VisibleThrough["PfifPerson"]("record")

    def __str__(self) -> str:
        return self.person_record_id


class PfifNote(models.Model):
    """A lead that came from (or went out as) a PFIF note: its note id and status, and
    the note fields a lead does not hold (``fields``, PFIF 1.4 names: author contact,
    linked person, found person's contact, photo, source date)."""

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="pfif_note")
    note_record_id = models.CharField(max_length=500, unique=True)
    status = models.CharField(max_length=20, choices=codes.PfifStatus.choices, blank=True)
    author_made_contact = models.BooleanField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)
    fields = models.JSONField(default=dict, blank=True)

    objects = VisibleThrough["PfifNote"]("lead")

    def __str__(self) -> str:
        return self.note_record_id


class HtcdsCase(models.Model):
    """What HTCDS 2.0 says about a victim's case beyond Beacon's victim row: consent to
    have personal data managed (``con_Consent``; not consent to services), trafficking
    status, types of exploitation, and the partner's other HTCDS fields as given
    (``fields``), exported again unchanged."""

    victim = models.OneToOneField(Victim, on_delete=models.CASCADE, related_name="htcds_case")
    data_consent = models.BooleanField(null=True, blank=True)
    trafficking_status = models.CharField(max_length=40, blank=True)
    exploitation = models.JSONField(default=list, blank=True)
    fields = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleThrough["HtcdsCase"]("victim")

    def __str__(self) -> str:
        return f"HTCDS case of victim {self.victim_id}"


class NcicEntry(models.Model):
    """The NCIC Missing Person File fields of a record that the registry does not hold,
    as a state system's message gave them, written back out in the record's NCIC
    message: circumstances (MPC F has no Beacon equivalent), place of birth, skin tone,
    date of emancipation, MNP AA, and the identifying numbers (FBI, SOC, OLN/OLS/OLY,
    MNU) in ``identifiers``: a JSON object sealed at rest with the originating agency's
    key (``beacon.vault``), like the record's notes."""

    record = models.OneToOneField(
        MissingPersonRecord, on_delete=models.CASCADE, related_name="ncic_entry"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    mpc = models.CharField(max_length=1, blank=True)
    mnp = models.CharField(max_length=2, blank=True)
    pob = models.CharField(max_length=2, blank=True)
    skn = models.CharField(max_length=3, blank=True)
    doe = models.DateField(null=True, blank=True)
    identifiers = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleThrough["NcicEntry"]("record")

    def __str__(self) -> str:
        return f"NCIC fields of record {self.record_id}"
