"""Run inside Django by bench/dashboards.py: signed-in web sessions (password and second
factor, as after signing in) for the demo hub coordinator, and an API token to write
with. Prints JSON on stdout."""

from __future__ import annotations

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beacon.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from beacon.access import tokens  # noqa: E402
from beacon.access.accounts import actor_of, membership_of  # noqa: E402

USER = "coordinator"
count = int(sys.argv[1])
user = get_user_model().objects.get(username=USER)
device = TOTPDevice.objects.get(user=user)
sessions = []
for _ in range(count):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]  # Django default
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["beacon_started"] = session["beacon_seen"] = time.time()
    session.create()
    sessions.append(session.session_key)
membership = membership_of(user)
assert membership is not None
actor = actor_of(user, membership, via="api", source_address="127.0.0.1")
_token, raw = tokens.create_token(actor, "dashboard bench")
print(json.dumps({"sessions": sessions, "token": raw, "ori": actor.agency.ori}))
