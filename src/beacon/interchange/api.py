"""JSON API routes of interchange (django-ninja); mounted in beacon.api at /interchange."""

from ninja import Router

router = Router()
