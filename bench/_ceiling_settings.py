"""Settings for the load bench's ceiling runs: Beacon's own settings and middleware, plus
one trivial view (bench/_ceiling_urls.py) next to Beacon's URLs."""

from beacon.settings import *  # noqa: F403

ROOT_URLCONF = "_ceiling_urls"
