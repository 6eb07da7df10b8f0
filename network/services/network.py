"""The network itself (issue #18, part 4): creating it, changing its name
and policies, and keeping a named leader's role when her portal account
comes later. Naming and ending leaders: ``network.services.leaders``.
Network-led engagements and works: marked here, counted in
``network.selectors.led``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from consultants.models import Consultant
from core import audit
from engagements.models import Engagement
from impact.models import Work
from network.models import Leadership, Network, NetworkLedEngagement, NetworkLedWork

# What a manager may set on the network's page.
NETWORK_FIELDS = (
    "name",
    "short_name",
    "description",
    "review_required_audiences",
    "leaders_need_mfa",
    "review_fee",
    "circle_allowance",
)


def current_network() -> Network | None:
    """The deployment's network (one is the normal case; the oldest when
    there are more), or None before it is created."""
    return Network.objects.order_by("pk").first()


def _clean_text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _apply(network: Network, fields: dict[str, Any]) -> list[str]:
    unknown = set(fields) - set(NETWORK_FIELDS)
    if unknown:
        raise ValueError(f"Not a network field: {sorted(unknown)}")
    changed = []
    for name, value in fields.items():
        if name in ("name", "short_name"):
            value = _clean_text(value)
        elif name == "description":
            value = str(value or "").strip()
        elif name == "review_required_audiences":
            value = sorted(set(value or []))
        elif name in ("review_fee", "circle_allowance"):
            value = Decimal(value) if value not in (None, "") else value
        if getattr(network, name) != value:
            setattr(network, name, value)
            changed.append(name)
    return changed


def _save(network: Network) -> None:
    network.full_clean()
    try:
        with transaction.atomic():
            network.save()
    except IntegrityError as error:  # the same name, written at the same moment
        raise ValidationError(
            {"name": _("Another network already has this name.")}, code="unique"
        ) from error


@transaction.atomic
def network_create(*, by, request=None, **fields: Any) -> Network:
    """Create the network (managers and administrators; the view checks)."""
    network = Network()
    _apply(network, fields)
    _save(network)
    audit.record_event(network, actor=by, event="network_created", request=request)
    return network


@transaction.atomic
def network_update(*, network: Network, by, request=None, **fields: Any) -> list[str]:
    """Change the network's name and policies; the names of what changed."""
    network = Network.objects.select_for_update().get(pk=network.pk)
    changed = _apply(network, fields)
    if changed:
        _save(network)
        audit.record_event(
            network, actor=by, event="network_changed", request=request, fields=changed
        )
    return changed


# --- The role follows a leader's account ------------------------------------------------


def leader_role_follows_account(sender, instance: Consultant, update_fields=None, **kwargs):
    """``post_save`` of a consultant: when her portal account is linked
    after she was named (``consultants.services.consultant_invite_to_portal``
    saves ``user``), the account gets the survivor leader role. Connected in
    ``NetworkConfig.ready()`` (consultants may not import the network)."""
    if instance.user_id is None or update_fields is None or "user" not in update_fields:
        return
    if Leadership.objects.filter(consultant=instance, until__isnull=True).exists():
        from network.services.leaders import _sync_leader_role

        _sync_leader_role(instance)


# --- Network-led engagements and works ----------------------------------------------------


def _network_or_refuse() -> Network:
    network = current_network()
    if network is None:
        raise ValidationError(_("Create the network first, on the network's page."))
    return network


@transaction.atomic
def engagement_led_set(*, engagement: Engagement, led: bool, by, request=None) -> bool:
    """Mark (``led``) or unmark an engagement as led by the network. True
    when something changed; asking twice changes nothing."""
    Engagement.objects.select_for_update().filter(pk=engagement.pk).first()
    existing = NetworkLedEngagement.objects.filter(engagement=engagement).first()
    if led:
        if existing is not None:
            return False
        row = NetworkLedEngagement.objects.create(
            network=_network_or_refuse(), engagement=engagement, marked_by=by
        )
        audit.record_event(engagement, actor=by, event="network_led_marked", request=request)
        audit.record_event(row, actor=by, event="network_led_marked", request=request)
        return True
    if existing is None:
        return False
    existing.delete()
    audit.record_event(engagement, actor=by, event="network_led_unmarked", request=request)
    return True


@transaction.atomic
def work_led_set(*, work: Work, led: bool, by, request=None) -> bool:
    """Mark or unmark a co-created work as led by the network."""
    Work.objects.select_for_update().filter(pk=work.pk).first()
    existing = NetworkLedWork.objects.filter(work=work).first()
    if led:
        if existing is not None:
            return False
        row = NetworkLedWork.objects.create(network=_network_or_refuse(), work=work, marked_by=by)
        audit.record_event(work, actor=by, event="network_led_marked", request=request)
        audit.record_event(row, actor=by, event="network_led_marked", request=request)
        return True
    if existing is None:
        return False
    existing.delete()
    audit.record_event(work, actor=by, event="network_led_unmarked", request=request)
    return True
