"""Naming survivor leaders, and ending their leadership.

The ``Leadership`` rows are the source; the account's ``survivor_leader``
role follows them in the same transaction, so the portal's leader area
opens and closes with the record. Each step is an audit event.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, forget_roles
from consultants.models import Consultant
from core import audit
from network.models import Leadership, Network


class LeadershipError(ValidationError):
    pass


def _sync_leader_role(consultant: Consultant) -> None:
    """Give or take the role: held while any leadership is open."""
    from django.contrib.auth.models import Group

    user = consultant.user
    if user is None:
        return
    group, _created = Group.objects.get_or_create(name=Role.SURVIVOR_LEADER.value)
    if Leadership.objects.filter(consultant=consultant, until__isnull=True).exists():
        user.groups.add(group)
    else:
        user.groups.remove(group)
    forget_roles(user)


@transaction.atomic
def leader_name(
    *,
    network: Network,
    consultant: Consultant,
    by,
    since: datetime.date | None = None,
    request=None,
) -> Leadership:
    """Name a consultant a survivor leader of the network from ``since``."""
    if consultant.status != Consultant.Status.ACTIVE:
        raise LeadershipError(_("Only an active consultant can be named a survivor leader."))
    if consultant.identity_erased_at is not None:
        raise LeadershipError(_("This consultant's identity was erased."))
    try:
        with transaction.atomic():
            leadership = Leadership.objects.create(
                network=network,
                consultant=consultant,
                since=since or timezone.localdate(),
                named_by=by,
            )
    except IntegrityError as error:
        raise LeadershipError(
            _("%(name)s is already a leader of this network.") % {"name": consultant.pseudonym}
        ) from error
    _sync_leader_role(consultant)
    audit.record_event(leadership, actor=by, event="leader_named", request=request)
    return leadership


@transaction.atomic
def leader_end(*, leadership: Leadership, by, until: datetime.date | None = None, request=None):
    """End a leadership (today unless given a day); the role goes with the
    last open one."""
    leadership = Leadership.objects.select_for_update().get(pk=leadership.pk)
    if leadership.until is not None:
        raise LeadershipError(_("This leadership has already ended."))
    until = until or timezone.localdate()
    if until < leadership.since:
        raise LeadershipError(_("A leadership cannot end before it began."))
    leadership.until = until
    leadership.ended_by = by
    leadership.save(update_fields=["until", "ended_by"])
    _sync_leader_role(leadership.consultant)
    audit.record_event(leadership, actor=by, event="leader_ended", request=request)
    return leadership
