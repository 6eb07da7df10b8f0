"""Sealed sign-in addresses: how a consultant's account is found without
keeping her e-mail address in plain text.

A consultant's address is a contact detail (DESIGN.md: encrypted at rest),
yet allauth finds accounts by comparing the typed address with
``EmailAddress.email`` and ``User.email``. A *sealed* account therefore
keeps, in both columns, a **lookup token**::

    hex(HMAC-SHA256(LOOKUP_HMAC_KEYS[0], normalised address)) + "@lookup.invalid"

and the address itself, for sending, encrypted in ``User.sealed_email``.
The token is a valid e-mail address in the reserved ``.invalid`` domain,
so allauth's lookups, uniqueness, verification flags and rate-limit keys
work on it unchanged, and no mail can ever leave for it by mistake. It
cannot be turned back into the address without the key; the key is not in
the database.

Keys (``LOOKUP_HMAC_KEYS``, newest first, like ``FIELD_ENCRYPTION_KEY``)
rotate: lookups try every key, ``manage.py rotate_lookup_keys`` recomputes
each token with the newest (it decrypts the sealed address to do so).

Encryption belongs to ``core``, which ``accounts`` (the lowest layer) may
not import; ``core`` hands its fail-closed cipher over from its
``ready()`` through ``register_cipher``. Without it nothing is sealed or
unsealed: ``ImproperlyConfigured``, never plain text.

Staff accounts keep their plain work address (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

LOOKUP_DOMAIN = "lookup.invalid"
MIN_KEY_LENGTH = 32

_cipher: tuple[Callable[[str], str], Callable[..., str]] | None = None


# --- Lookup tokens -----------------------------------------------------------------


def normalise_address(address: str) -> str:
    """The form of an address that is hashed and kept: NFKC, trimmed, lower case
    (Tinig has always kept addresses in lower case; allauth compares so too)."""
    return unicodedata.normalize("NFKC", address or "").strip().lower()


def lookup_keys() -> list[bytes]:
    keys = settings.LOOKUP_HMAC_KEYS
    if isinstance(keys, str):
        keys = keys.split(",")
    keys = [key.strip() for key in keys if key and key.strip()]
    if not keys:
        raise ImproperlyConfigured("LOOKUP_HMAC_KEYS is not set: no key to find accounts with.")
    for position, key in enumerate(keys, start=1):
        if len(key) < MIN_KEY_LENGTH:
            raise ImproperlyConfigured(
                f"LOOKUP_HMAC_KEYS: key number {position} is shorter than "
                f"{MIN_KEY_LENGTH} characters."
            )
    return [key.encode("utf-8") for key in keys]


def _token(key: bytes, address: str) -> str:
    digest = hmac.new(key, normalise_address(address).encode("utf-8"), hashlib.sha256)
    return f"{digest.hexdigest()}@{LOOKUP_DOMAIN}"


def lookup_token(address: str) -> str:
    """The token a sealed account with this address is stored under (newest key)."""
    return _token(lookup_keys()[0], address)


def lookup_tokens(address: str) -> list[str]:
    """The token under every configured key, newest first: an account sealed
    before a key rotation is found until ``rotate_lookup_keys`` has run."""
    return [_token(key, address) for key in lookup_keys()]


def is_lookup_token(value: str | None) -> bool:
    return bool(value) and str(value).lower().endswith("@" + LOOKUP_DOMAIN)


# --- The cipher, lent by core ----------------------------------------------------------


def register_cipher(*, encrypt: Callable[[str], str], decrypt: Callable[..., str]) -> None:
    """Called once by ``core`` (``CoreConfig.ready``) with its fail-closed
    ``encrypt_str`` / ``decrypt_str``."""
    global _cipher
    _cipher = (encrypt, decrypt)


def _registered() -> tuple[Callable[[str], str], Callable[..., str]]:
    if _cipher is None:
        raise ImproperlyConfigured(
            "No cipher for sealed addresses: the core app registers one in its ready()."
        )
    return _cipher


def seal(value: str) -> str:
    return _registered()[0](value)


def unseal(token: str, *, where: str) -> str:
    return _registered()[1](token, where=where)
