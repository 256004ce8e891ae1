"""AES-256-GCM primitives: master keys from settings, wrapping and sealing bytes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12


class Unreadable(Exception):
    """The ciphertext was altered, moved to another row or field, or its key is gone."""


def decode_master_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured("BEACON_MASTER_KEY is not valid base64.") from None
    if len(key) != 32:
        raise ImproperlyConfigured("BEACON_MASTER_KEY must decode to exactly 32 bytes.")
    return key


def key_id(key: bytes) -> str:
    """A short public name for a key (never the key): its SHA-256, first 16 hex digits."""
    return hashlib.sha256(b"beacon-master-key-id|" + key).hexdigest()[:16]


def master_keys() -> dict[str, bytes]:
    """The current master key first, then the previous one (during a rotation)."""
    keys: dict[str, bytes] = {}
    for text in (settings.MASTER_KEY, settings.MASTER_KEY_PREVIOUS):
        if text:
            key = decode_master_key(text)
            keys.setdefault(key_id(key), key)
    if not keys:
        raise ImproperlyConfigured("BEACON_MASTER_KEY is not set.")
    return keys


def current_master() -> tuple[str, bytes]:
    return next(iter(master_keys().items()))


def encrypt(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    """nonce || ciphertext+tag, with a fresh random 96-bit nonce every time."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def decrypt(key: bytes, blob: bytes, associated: bytes) -> bytes:
    if len(blob) < NONCE_BYTES + 16:
        raise Unreadable("The sealed value is truncated.")
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated)
    except InvalidTag:
        raise Unreadable("The sealed value does not authenticate.") from None


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise Unreadable("The sealed value is not valid base64.") from None
