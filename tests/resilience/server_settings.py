"""Settings of the Beacon that the crash tests serve under gunicorn and then kill.

The real settings in test mode, serving the probe URL conf, on the database named by
BEACON_SERVER_DB_NAME (the test database of the pytest run, or a private server's).
"""

import os

from beacon.test_settings import *  # noqa: F403
from beacon.test_settings import DATABASES

ROOT_URLCONF = "tests.resilience.probe"
DATABASES["default"]["NAME"] = os.environ["BEACON_SERVER_DB_NAME"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "CRITICAL"},
}

# Served like production: events chained by the per-process thread after commit.
BEACON_AUDIT_CHAINER = "thread"
