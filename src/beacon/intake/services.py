"""Intake services: the one entry point the CLI, the API and the web pages call.

The rules live in the modules named for what they hold: ``importing`` (intakes, lists,
column mappings), ``linking`` (link runs and the model), ``review`` (decisions and
accepting the result).
"""

from beacon.intake.importing import (
    create_intake,
    find_or_create_intake,
    import_list,
    preview,
    remembered_mapping,
)
from beacon.intake.incremental import STEPS as INCREMENTAL_STEPS
from beacon.intake.incremental import link_new
from beacon.intake.linking import STEPS, link
from beacon.intake.review import accept_intake, decide, get_cluster, latest_run, queue

__all__ = [
    "INCREMENTAL_STEPS",
    "STEPS",
    "accept_intake",
    "create_intake",
    "decide",
    "find_or_create_intake",
    "get_cluster",
    "import_list",
    "latest_run",
    "link",
    "link_new",
    "preview",
    "queue",
    "remembered_mapping",
]
