"""Looking up a user's membership and the actor they act as."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

from beacon.access.models import Membership
from beacon.core.actor import Actor


def membership_of(user: AbstractBaseUser | AnonymousUser | None) -> Membership | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        membership: Membership = Membership.objects.select_related("agency").get(user_id=user.pk)
    except Membership.DoesNotExist:
        return None
    if membership.disabled_at is not None:
        return None
    return membership


def actor_of(user: User, membership: Membership, *, via: str, source_address: str = "") -> Actor:
    return Actor(
        name=user.get_username(),
        agency=membership.agency,
        role=membership.role,
        user_id=int(user.pk),
        source_address=source_address,
        via=via,
    )


def cli_actor(username: str) -> Actor | None:
    """The actor a CLI run as ``BEACON_CLI_USER=username`` acts as; None for no active
    account of that name (beacon.core.commands refuses then)."""
    user = User.objects.filter(username=username).first()
    membership = membership_of(user)
    if user is None or membership is None:
        return None
    return actor_of(user, membership, via="cli")
