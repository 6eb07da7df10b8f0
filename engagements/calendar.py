"""Calendar files (.ics, RFC 5545) for a consultant's engagements.

Discreet by default: a phone's calendar is seen by others, synced to other
services and shown on lock screens, so the entry says "Tinig meeting" and
when, nothing about the nature of the work: no title, no audience, no venue
name (the place and the link are on the portal page behind the sign-in,
where the description points). The UID is random per participation, not a
database id, so the file does not even say how many engagements exist.
"""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone
from django.utils.translation import gettext as _

PRODID = "-//Tinig//Tinig//EN"
# A fixed namespace: the same participation always gets the same UID, so a
# second download updates the entry instead of adding another.
UID_NAMESPACE = uuid.UUID("5b0e4b8e-6f55-4d38-9d1b-2f1c0f6a6a01")


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def participation_uid(participation) -> str:
    return f"{uuid.uuid5(UID_NAMESPACE, f'participation-{participation.pk}')}@tinig"


def participation_ics(
    participation, *, portal_url: str = "", now: datetime.datetime | None = None
) -> str:
    """One event for the consultant's participation, as .ics text. ``portal_url``:
    where the details are (the portal page of this engagement)."""
    engagement = participation.engagement
    cancelled = engagement.status == "cancelled" or participation.status in (
        "cancelled",
        "withdrawn",
        "declined",
        "revoked",
    )
    # Outside the f-string below, where makemessages would not find it.
    summary = _("Tinig meeting")
    description = _("Details are in the Tinig portal.")
    if portal_url:
        description = f"{description} {portal_url}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{participation_uid(participation)}",
        f"DTSTAMP:{_utc(now or timezone.now())}",
        f"DTSTART:{_utc(engagement.start)}",
        f"DTEND:{_utc(engagement.end)}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
        "CLASS:PRIVATE",
        "TRANSP:OPAQUE",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
    ]
    if portal_url:
        lines.append(f"URL:{portal_url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def ics_filename() -> str:
    """A discreet file name for the download."""
    return "tinig-meeting.ics"
