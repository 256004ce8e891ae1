"""Run inside Django by bench/load.py: API tokens for several demo agencies, and what each
may search, read and write. Prints JSON on stdout."""

from __future__ import annotations

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beacon.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from beacon.access import tokens  # noqa: E402
from beacon.access.accounts import actor_of, membership_of  # noqa: E402
from beacon.operations.models import Operation  # noqa: E402
from beacon.records.models import MissingPersonRecord  # noqa: E402

USERS = ("investigator.hsi", "investigator.lcpd", "coordinator")

clients = []
for username in USERS:
    user = get_user_model().objects.get(username=username)
    membership = membership_of(user)
    assert membership is not None
    actor = actor_of(user, membership, via="api", source_address="127.0.0.1")
    _token, raw = tokens.create_token(actor, "load bench")
    operations = list(
        Operation.objects.visible_to(actor).order_by("code").values_list("code", flat=True)
    )
    names = sorted(
        set(MissingPersonRecord.objects.visible_to(actor).values_list("last_name", flat=True))
    )[:200]
    clients.append(
        {
            "user": username,
            "token": raw,
            "ori": actor.agency.ori,
            "operations": operations,
            "names": names,
        }
    )
print(json.dumps(clients))
