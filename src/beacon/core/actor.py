"""Who is acting: passed explicitly to every service (there is no global current user)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from beacon.agencies.models import Agency

SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class Actor:
    """The person or process behind a request, command or job.

    ``agency`` is the agency they act for; ``role`` names their role (see
    beacon.access.permissions); ``user_id`` is None for the system actor and jobs.
    """

    name: str
    agency: Agency
    role: str
    user_id: int | None = None
    source_address: str = ""
    via: str = "cli"  # cli | api | web | job

    @property
    def agency_id(self) -> int:
        return int(self.agency.pk)

    @property
    def is_system(self) -> bool:
        return self.role == SYSTEM_ROLE


def system_actor(via: str = "cli", source_address: str = "") -> Actor:
    """The named system actor, acting for Beacon's own system agency.

    Used by the CLI and API until a request carries an authenticated user, and
    by administrative jobs (demo load, key rotation).
    """
    from beacon.agencies.models import Agency

    return Actor(
        name="beacon-system",
        agency=Agency.system(),
        role=SYSTEM_ROLE,
        via=via,
        source_address=source_address,
    )
