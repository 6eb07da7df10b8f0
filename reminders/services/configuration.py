"""Settings of each kind (timing, on/off) and people's choices: a
consultant's channel per kind, a staff member's digest and quiet hours."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consultants.models import Consultant
from reminders import access, registry, sms
from reminders.channels import SmsChannel
from reminders.models import (
    MAX_OFFSET_HOURS,
    ConsultantReminderPreference,
    ReminderSetting,
    StaffReminderPreference,
    default_quiet_end,
    default_quiet_start,
)
from reminders.registry import Audience, ReminderKind


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- Settings of each kind ------------------------------------------------------------


@dataclass(frozen=True)
class KindConfig:
    kind: ReminderKind
    enabled: bool
    offsets: tuple[int, ...]
    customised: bool = False


def kind_configs() -> dict[str, KindConfig]:
    """Every registered kind with its effective settings (one query)."""
    stored = {row.kind: row for row in ReminderSetting.objects.all()}
    configs = {}
    for kind in registry.kinds():
        row = stored.get(kind.key)
        if row is None:
            configs[kind.key] = KindConfig(kind, kind.default_enabled, tuple(kind.timing.default))
        else:
            configs[kind.key] = KindConfig(kind, row.enabled, tuple(row.offsets), True)
    return configs


def reminder_setting_save(
    *, kind: str, enabled: bool, offsets: Iterable[int], by
) -> ReminderSetting:
    """Change a kind's timing and on/off switch (managers and administrators)."""
    if not access.can_manage_settings(by):
        raise PermissionDenied
    if registry.get_kind(kind) is None:
        raise ValidationError(_("Unknown reminder."))
    offsets = sorted(set(int(value) for value in offsets), reverse=True)
    if not offsets:
        raise ValidationError({"offsets": _("Give at least one time.")})
    if any(value < 0 or value > MAX_OFFSET_HOURS for value in offsets):
        raise ValidationError(
            {
                "offsets": _("Each time must be between 0 and %(max)s hours.")
                % {"max": MAX_OFFSET_HOURS}
            }
        )
    if len(offsets) > 6:
        raise ValidationError({"offsets": _("At most six times.")})
    with transaction.atomic():
        setting, _created = ReminderSetting.objects.select_for_update().get_or_create(
            kind=kind, defaults={"offsets": offsets, "enabled": enabled, "updated_by": by}
        )
        setting.enabled = enabled
        setting.offsets = offsets
        setting.updated_by = by
        setting.full_clean()
        setting.save()
    return setting


# --- Preferences ---------------------------------------------------------------------


def sms_choice_refusal(consultant: Consultant) -> str:
    """Why ``consultant`` may not choose text messages now; "" when she may."""
    if not sms.is_enabled():
        return _("Text messages are not available.")
    if not SmsChannel().address_for(consultant):
        return _("Add a mobile number to your details to receive text messages.")
    return ""


def consultant_preferences_save(*, consultant: Consultant, choices: dict[str, str], by) -> None:
    """A consultant's choice per kind: e-mail, text message, both, or
    nothing. A text message only with a mobile number on file. Only about
    the kinds offered to her (``by`` is she: ``can_set_own_preferences``)."""
    if not access.can_set_own_preferences(by, consultant):
        raise PermissionDenied
    allowed = {kind.key for kind in registry.kinds_offered_to(by, Audience.CONSULTANT)}
    valid = set(ConsultantReminderPreference.Channel.values)
    for key, channel in choices.items():
        if key not in allowed or channel not in valid:
            raise ValidationError(_("Unknown choice."))
    wants_sms = [
        key for key, channel in choices.items() if ConsultantReminderPreference.needs_phone(channel)
    ]
    refusal = sms_choice_refusal(consultant) if wants_sms else ""
    if refusal:
        raise ValidationError({key: refusal for key in wants_sms})
    with transaction.atomic():
        for key, channel in choices.items():
            ConsultantReminderPreference.objects.update_or_create(
                consultant=consultant, kind=key, defaults={"channel": channel}
            )


def staff_preference_save(
    *,
    user,
    daily_digest: bool,
    quiet_start: datetime.time | None = None,
    quiet_end: datetime.time | None = None,
    time_zone: str | None = None,
) -> StaffReminderPreference:
    """A staff member's own choices: the morning digest, and their quiet
    hours (unchanged when not given; new: 21:00-08:00 Asia/Manila)."""
    if not access.can_set_staff_preference(user):
        raise PermissionDenied
    if time_zone is not None:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"time_zone": _("Unknown time zone.")}) from None
    with transaction.atomic():
        preference, _created = StaffReminderPreference.objects.select_for_update().get_or_create(
            user=user,
            defaults={
                "quiet_start": default_quiet_start(),
                "quiet_end": default_quiet_end(),
                "time_zone": getattr(settings, "REMINDERS_QUIET_TIME_ZONE", "Asia/Manila"),
            },
        )
        preference.daily_digest = bool(daily_digest)
        if quiet_start is not None:
            preference.quiet_start = quiet_start
        if quiet_end is not None:
            preference.quiet_end = quiet_end
        if time_zone is not None:
            preference.time_zone = time_zone
        preference.full_clean()
        preference.save()
    return preference
