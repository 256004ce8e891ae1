"""Settings for the test suite: the real settings in test mode."""

import os

os.environ.setdefault("BEACON_MODE", "test")
os.environ.setdefault("BEACON_DATA_DIR", os.path.join(os.getcwd(), "var", "test"))

from beacon.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
