"""Named permissions and the one table that maps roles to them.

Every route declares the permission it needs; beacon.access.policy refuses in one place;
each domain's ``Model.objects.visible_to(actor)`` says which rows a role's agency sees.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    RECORDS_VIEW = "records:view"
    RECORDS_SEARCH = "records:search"
    RECORDS_ENTER = "records:enter"
    RECORDS_MODIFY = "records:modify"
    RECORDS_LOCATE = "records:locate"
    RECORDS_CLEAR = "records:clear"
    RECORDS_CANCEL = "records:cancel"
    RECORDS_IMPORT = "records:import"
    OPERATIONS_VIEW = "operations:view"
    OPERATIONS_MANAGE = "operations:manage"
    OPERATIONS_RECORD = "operations:record"  # outcomes and field events
    OPERATIONS_REPORT = "operations:report"  # aggregate results only
    OPERATIONS_EXPORT = "operations:export"  # bundles with personal data
    VICTIMS_VIEW = "victims:view"
    REFERRALS_VIEW = "referrals:view"
    REFERRALS_RESPOND = "referrals:respond"
    SERVICES_RECORD = "services:record"  # services delivered to victims referred to the agency
    INTAKE_MANAGE = "intake:manage"
    AUDIT_VIEW = "audit:view"
    AUDIT_EXPORT = "audit:export"
    ACCOUNTS_MANAGE = "accounts:manage"
    TOKENS_OWN = "tokens:own"  # create and revoke one's own API tokens
    AGENCIES_MANAGE = "agencies:manage"


P = Permission

_READ_CASES = {
    P.RECORDS_VIEW,
    P.RECORDS_SEARCH,
    P.OPERATIONS_VIEW,
    P.OPERATIONS_REPORT,
    P.VICTIMS_VIEW,
}
_FIELD_WORK = {
    P.RECORDS_ENTER,
    P.RECORDS_MODIFY,
    P.RECORDS_LOCATE,
    P.RECORDS_CLEAR,
    P.OPERATIONS_RECORD,
}

_OWN = {P.TOKENS_OWN}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    # Administering accounts does not include reading case files.
    "system_admin": frozenset(
        _OWN | {P.ACCOUNTS_MANAGE, P.AGENCIES_MANAGE, P.AUDIT_VIEW, P.AUDIT_EXPORT}
    ),
    "hub_coordinator": frozenset(
        _OWN
        | _READ_CASES
        | _FIELD_WORK
        | {
            P.OPERATIONS_MANAGE,
            P.OPERATIONS_EXPORT,
            P.RECORDS_IMPORT,
            P.INTAKE_MANAGE,
            P.RECORDS_CANCEL,
        }
    ),
    "supervisor": frozenset(
        _OWN
        | _READ_CASES
        | _FIELD_WORK
        | {
            P.OPERATIONS_MANAGE,
            P.OPERATIONS_EXPORT,
            P.RECORDS_IMPORT,
            P.INTAKE_MANAGE,
            P.RECORDS_CANCEL,
        }
    ),
    "investigator": frozenset(_OWN | _READ_CASES | _FIELD_WORK),
    "analyst": frozenset(_OWN | _READ_CASES | {P.INTAKE_MANAGE}),
    "caseworker": frozenset(_OWN | {P.REFERRALS_VIEW, P.REFERRALS_RESPOND, P.SERVICES_RECORD}),
    "pio": frozenset(_OWN | {P.OPERATIONS_REPORT}),
    # The named system actor used by the CLI, demo loader and jobs.
    "system": frozenset(Permission),
}

ROLES = tuple(ROLE_PERMISSIONS)
# Roles a person (or an API token) can hold; "system" is Beacon's own actor only.
HUMAN_ROLES = tuple(role for role in ROLES if role != "system")
# The role a new account gets unless a second administrator approves another: the one
# with the fewest permissions and no personal data (tests/access check both).
LEAST_ROLE = "pio"
# Human roles from the least to the most powerful (forms list them in this order).
ROLES_BY_POWER = tuple(sorted(HUMAN_ROLES, key=lambda r: (len(ROLE_PERMISSIONS[r]), r)))

# Permissions that reveal personal data (or the accounts and audit that lead to it).
# Every role holding one must sign in with a second factor (TOTP).
PERSONAL_DATA = frozenset(
    {
        P.RECORDS_VIEW,
        P.RECORDS_SEARCH,
        P.VICTIMS_VIEW,
        P.REFERRALS_VIEW,
        P.OPERATIONS_VIEW,
        P.OPERATIONS_EXPORT,
        P.INTAKE_MANAGE,
        P.AUDIT_VIEW,
        P.AUDIT_EXPORT,
        P.ACCOUNTS_MANAGE,
    }
)


def role_has(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def role_requires_mfa(role: str) -> bool:
    return bool(ROLE_PERMISSIONS.get(role, frozenset()) & PERSONAL_DATA)


# Permissions that read case files or the people in them: granting a role that holds one
# (or moving such a role to another agency) needs a second administrator.
CASE_READING = frozenset(
    {
        P.RECORDS_VIEW,
        P.RECORDS_SEARCH,
        P.VICTIMS_VIEW,
        P.REFERRALS_VIEW,
        P.OPERATIONS_VIEW,
        P.OPERATIONS_EXPORT,
        P.INTAKE_MANAGE,
    }
)


def reads_cases(role: str) -> bool:
    return bool(ROLE_PERMISSIONS.get(role, frozenset()) & CASE_READING)


def role_within(role: str, ceiling: str) -> bool:
    """True when every permission of ``role`` is also a permission of ``ceiling``."""
    return ROLE_PERMISSIONS.get(role, frozenset()) <= ROLE_PERMISSIONS.get(ceiling, frozenset())
