"""Validation and normalisation of consultant input: phone numbers and
evidence uploads. Forms and the model's ``clean()`` both use these, so a
value is checked the same way whichever way it arrives."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.files import JPEG, PDF, PNG, check_upload, sniff_kind

# --- Philippine mobile numbers ----------------------------------------------------

# What people type: +63 917 123 4567, 0917-123-4567, (0917) 1234567,
# 639171234567. Spaces, dashes, dots and brackets are ignored.
_SEPARATORS = re.compile(r"[\s\-.()]")
_PH_MOBILE = re.compile(r"^(?:\+63|63|0)(9\d{9})$")

PHONE_MESSAGE = _("Enter a Philippine mobile number, like 0917 123 4567 or +63 917 123 4567.")


def normalise_ph_mobile(value: str) -> str:
    """The number in the one stored form, ``+639XXXXXXXXX``; raises ValidationError."""
    match = _PH_MOBILE.match(_SEPARATORS.sub("", value or ""))
    if match is None:
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")
    return f"+63{match.group(1)}"


def validate_ph_mobile(value: str) -> None:
    if value:
        normalise_ph_mobile(value)


# --- Evidence uploads -----------------------------------------------------------------

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024

# Recognised by content (magic bytes), never by the name or the browser's
# claimed type: an executable renamed ``form.pdf`` is refused.
EVIDENCE_SIGNATURES: dict[str, tuple[bytes, ...]] = {"pdf": PDF, "jpg": JPEG, "png": PNG}

EVIDENCE_TYPE_MESSAGE = _("The evidence must be a PDF, JPEG or PNG file.")
EVIDENCE_SIZE_MESSAGE = _("The evidence file is larger than 5 MB.")
EVIDENCE_EMPTY_MESSAGE = _("The evidence file is empty.")


def evidence_kind(file) -> str | None:
    """ "pdf", "jpg" or "png" when the content is one of them, else None."""
    return sniff_kind(file, EVIDENCE_SIGNATURES)


def validate_evidence(file) -> None:
    """Size at most 5 MB, content a PDF, JPEG or PNG."""
    check_upload(
        file,
        signatures=EVIDENCE_SIGNATURES,
        max_bytes=EVIDENCE_MAX_BYTES,
        type_message=EVIDENCE_TYPE_MESSAGE,
        size_message=EVIDENCE_SIZE_MESSAGE,
        empty_message=EVIDENCE_EMPTY_MESSAGE,
        code_prefix="evidence",
    )
