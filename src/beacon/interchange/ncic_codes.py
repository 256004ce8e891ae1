"""NCIC Missing Person File code tables the message format reads and writes.

Sources (docs/formats/ncic.md cites them): the FBI's NCIC code tables as published in
the NIEM ``ncic`` code set (read through the ``cityssm/node-ncic-lookup`` data files:
EYE, HAI, SKN, SEX, RAC, MNP, MPC, MNU) and the NCIC Missing Person File Data Collection
Entry Guide's Initial Entry Report (MKE categories, MNP, the field list). Beacon's own
registry tables (``beacon.records.codes``) hold MKE, SEX, RAC and EYE already.
"""

from __future__ import annotations

from beacon.records import codes as record_codes

MKE = tuple(record_codes.Category.values)  # EMD, EME, EMI, EMJ, EMV, EMO

# MNP, missing person: MP missing person, CA child abduction, DV catastrophe (disaster)
# victim, AA AMBER Alert.
MNP = ("MP", "CA", "DV", "AA")

# MPC, missing person circumstances (NIEM ncic code set).
MPC = {
    "F": "adult, federally required entry under the age of 21 (Suzanne's Law)",
    "N": "abducted by a non-custodial parent",
    "R": "runaway",
    "S": "abducted by a stranger",
}
# Beacon's circumstances and the MPC code nearest to each (both ways). Beacon's
# "lost_injured" and "unknown" have no MPC code: no MPC is written for them.
MPC_OF_CIRCUMSTANCE = {
    record_codes.Circumstance.RUNAWAY: "R",
    record_codes.Circumstance.FAMILY_ABDUCTION: "N",
    record_codes.Circumstance.NON_FAMILY_ABDUCTION: "S",
}
CIRCUMSTANCE_OF_MPC = {v: str(k) for k, v in MPC_OF_CIRCUMSTANCE.items()} | {"F": "unknown"}

# HAI: NCIC has no "bald" code; XXX is "unknown or completely bald".
HAI = tuple(c for c in record_codes.Hair.values if c != record_codes.Hair.BALD)

# SKN, skin tone.
SKN = (
    "ALB",
    "BLK",
    "DBR",
    "DRK",
    "FAR",
    "LBR",
    "LGT",
    "MBR",
    "MED",
    "OLV",
    "RUD",
    "SAL",
    "YEL",
)

# MNU, miscellaneous identifying number: a two-letter prefix, a hyphen, the number
# (at most 15 characters in all).
MNU_PREFIXES = (
    "AF",
    "AN",
    "AR",
    "AS",
    "CG",
    "CI",
    "FN",
    "MC",
    "MD",
    "MP",
    "NA",
    "NS",
    "OA",
    "PI",
    "PP",
    "PS",
    "SS",
    "VA",
)
MNU_MAX = 15
