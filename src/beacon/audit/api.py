"""JSON API routes of this domain (django-ninja); mounted in beacon.api."""

from ninja import Router

router = Router()
