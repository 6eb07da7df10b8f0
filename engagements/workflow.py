"""The engagement workflow, in one place.

::

    draft ─submit─▶ submitted ─approve─▶ approved ─start_staffing─▶ staffing
                        │                                          ▲    │
                        └─decline─▶ declined        reopen_staffing│    │confirm
                                                                   │    ▼
                        closed ◀─close─ completed ◀─complete─ confirmed

    cancel: from any open state (draft, submitted, approved, staffing,
    confirmed) to cancelled, with a reason.

``engagement_transition()`` is the only code that changes
``Engagement.status``. Each transition, with the engagement's row locked
(``select_for_update``):

1. checks permission (``engagements.access.can_transition``), refused with
   ``TransitionForbidden`` (a ``PermissionDenied``: 403 if a view lets it go);
2. checks that the engagement is in a status the transition starts from;
3. checks its conditions: the core ones below, then every guard other apps
   registered for it (``register_guard``), collecting every reason, refused
   with ``TransitionRefused`` (a ``ValidationError`` listing them all);
4. changes the status, writes the history (who, when, from, to, reason),
   runs the transition's side effects, and sends ``engagement_transitioned``
   in the same transaction (so a receiver's failure undoes it all).

Extension point: an app adds a condition without editing this module::

    # checklists/apps.py
    def ready(self):
        from engagements.workflow import register_guard
        register_guard("confirm", checklists.gates.before_items_done)

A guard is ``guard(*, engagement, by, now) -> Iterable[str]``: it returns
(or yields) the reasons the transition may not happen, in words a person
can act on, and nothing when it may. It runs inside the transaction, with
the engagement locked, and must not write.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from engagements import access
from engagements.matching import missing_consents
from engagements.models import Engagement, EngagementTransition, Participation, PrivacyPlan
from engagements.signals import engagement_transitioned, participation_status_changed

S = Engagement.Status


class TransitionRefused(ValidationError):
    """A transition that may not happen now. ``reasons``: every reason, in words."""

    def __init__(self, reasons: Iterable[str], *, transition: str = ""):
        self.reasons = [str(reason) for reason in reasons]
        self.transition = transition
        super().__init__(self.reasons, code="transition_refused")


class TransitionForbidden(TransitionRefused, PermissionDenied):
    """The user may not make this transition at all (403)."""


Guard = Callable[..., Iterable[str | Promise] | None]


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: frozenset[str]
    target: str
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("submit", _("Submit for approval"), frozenset({S.DRAFT}), S.SUBMITTED),
        Transition("approve", _("Approve"), frozenset({S.SUBMITTED}), S.APPROVED),
        Transition(
            "decline", _("Decline"), frozenset({S.SUBMITTED}), S.DECLINED, needs_reason=True
        ),
        Transition("start_staffing", _("Start staffing"), frozenset({S.APPROVED}), S.STAFFING),
        Transition("confirm", _("Confirm"), frozenset({S.STAFFING}), S.CONFIRMED),
        Transition("reopen_staffing", _("Reopen staffing"), frozenset({S.CONFIRMED}), S.STAFFING),
        Transition("complete", _("Mark completed"), frozenset({S.CONFIRMED}), S.COMPLETED),
        Transition("close", _("Close"), frozenset({S.COMPLETED}), S.CLOSED),
        Transition("cancel", _("Cancel"), frozenset(Engagement.OPEN_STATUSES), S.CANCELLED, True),
    ]
}


# --- The registry of guards -----------------------------------------------------------

_guards: dict[str, dict[str, Guard]] = {name: {} for name in TRANSITIONS}


def _guard_key(guard: Guard) -> str:
    return f"{guard.__module__}.{getattr(guard, '__qualname__', repr(guard))}"


def register_guard(transition: str, guard: Guard, *, key: str | None = None) -> None:
    """Add a condition to ``transition``. Registering the same guard (or key)
    again replaces it, so an app's ``ready()`` may run twice harmlessly."""
    if transition not in TRANSITIONS:
        raise KeyError(f"No transition named {transition!r}.")
    _guards[transition][key or _guard_key(guard)] = guard


def unregister_guard(transition: str, guard: Guard | None = None, *, key: str | None = None):
    _guards[transition].pop(key or _guard_key(guard), None)


def registered_guards(transition: str) -> list[Guard]:
    return list(_guards[transition].values())


@contextlib.contextmanager
def other_apps_guards_set_aside():
    """Run the core workflow without the conditions other apps registered.

    For the demo data only: it walks engagements through the workflow before
    the apps that gate it (checklists, compensation) seed the records that
    would satisfy their gates, and those apps' own demo seeds then bring
    their records in line with each engagement's status. Never for pages.
    """
    saved = {name: dict(guards) for name, guards in _guards.items()}
    for guards in _guards.values():
        guards.clear()
    try:
        yield
    finally:
        for name, guards in saved.items():
            _guards[name].update(guards)


# --- Core conditions ------------------------------------------------------------------


def _starts_in_future(engagement: Engagement, now: datetime.datetime) -> list[str]:
    if engagement.start <= now:
        return [gettext("The engagement's start has passed; change its dates first.")]
    return []


def _submit(engagement, by, now):
    reasons = _starts_in_future(engagement, now)
    if not engagement.purpose.strip():
        reasons.append(gettext("Describe the purpose."))
    if not engagement.expected_contribution.strip():
        reasons.append(gettext("Say what is asked of the consultants."))
    if engagement.mode == "in_person" and not engagement.venue.strip():
        reasons.append(gettext("An engagement in person needs a venue."))
    return reasons


def _approve(engagement, by, now):
    return _starts_in_future(engagement, now)


def _privacy_plan(engagement: Engagement) -> PrivacyPlan | None:
    return PrivacyPlan.objects.filter(engagement=engagement).first()


def _confirm(engagement, by, now):
    reasons = _starts_in_future(engagement, now)
    plan = _privacy_plan(engagement)
    if engagement.needs_privacy_plan and plan is None:
        reasons.append(
            gettext("An engagement with a “%(audience)s” audience needs a privacy plan first.")
            % {"audience": engagement.get_audience_display()}
        )
    confirmed = list(
        Participation.objects.filter(
            engagement=engagement, status=Participation.Status.CONFIRMED
        ).select_related("consultant")
    )
    if len(confirmed) < engagement.consultants_wanted:
        reasons.append(
            gettext("%(wanted)s confirmed consultants are wanted; %(have)s so far.")
            % {"wanted": engagement.consultants_wanted, "have": len(confirmed)}
        )
    lacking = missing_consents(
        engagement=engagement, plan=plan, consultants=[p.consultant for p in confirmed]
    )
    for participation in confirmed:
        scopes = lacking.get(participation.consultant_id)
        if scopes:
            reasons.append(
                gettext("%(pseudonym)s has not given consent for: %(scopes)s.")
                % {"pseudonym": participation.consultant.pseudonym, "scopes": scopes}
            )
    return reasons


def _complete(engagement, by, now):
    if engagement.start > now:
        return [gettext("The engagement has not started yet.")]
    return []


def _close(engagement, by, now):
    reasons = []
    unmarked = list(
        Participation.objects.filter(
            engagement=engagement, status=Participation.Status.CONFIRMED
        ).values_list("consultant__pseudonym", flat=True)
    )
    if unmarked:
        reasons.append(
            gettext("Mark the attendance of: %(pseudonyms)s.")
            % {"pseudonyms": ", ".join(sorted(unmarked))}
        )
    if not engagement.debriefs.exists():
        reasons.append(gettext("Write the debrief first."))
    return reasons


CORE_GUARDS: dict[str, Callable] = {
    "submit": _submit,
    "approve": _approve,
    "confirm": _confirm,
    "complete": _complete,
    "close": _close,
}


# --- Checking and running -------------------------------------------------------------


def _conditions(engagement: Engagement, transition: Transition, by, now) -> list[str]:
    reasons: list[str] = []
    core = CORE_GUARDS.get(transition.name)
    if core is not None:
        reasons += core(engagement, by, now)
    for guard in registered_guards(transition.name):
        reasons += [str(reason) for reason in (guard(engagement=engagement, by=by, now=now) or [])]
    return reasons


def refusal_reasons(
    *,
    engagement: Engagement,
    name: str,
    by,
    reason: str = "",
    now: datetime.datetime | None = None,
    check_permission: bool = True,
) -> list[str]:
    """Why ``by`` may not make transition ``name`` now; empty when they may."""
    transition = _get(name)
    if check_permission and not access.can_transition(by, engagement, name):
        return [gettext("You may not do this.")]
    if engagement.status not in transition.sources:
        return [
            gettext("“%(action)s” is not possible while the engagement is “%(status)s”.")
            % {"action": transition.label, "status": engagement.get_status_display()}
        ]
    reasons = []
    if transition.needs_reason and not (reason or "").strip():
        reasons.append(gettext("Give a reason."))
    return reasons + _conditions(engagement, transition, by, now or timezone.now())


def _get(name: str) -> Transition:
    try:
        return TRANSITIONS[name]
    except KeyError:
        raise TransitionRefused([gettext("Unknown action.")], transition=name) from None


@dataclass(frozen=True)
class TransitionOption:
    """A transition offered to a user on the detail page."""

    name: str
    label: str
    needs_reason: bool
    blocked_by: list[str]

    @property
    def available(self) -> bool:
        return not self.blocked_by


def transitions_for(
    *, engagement: Engagement, user, now: datetime.datetime | None = None
) -> list[TransitionOption]:
    """The transitions ``user`` may make from the current status, each with
    what still blocks it (empty when it can be made). Transitions the user
    may not make at all are left out."""
    now = now or timezone.now()
    options = []
    for transition in TRANSITIONS.values():
        if engagement.status not in transition.sources:
            continue
        if not access.can_transition(user, engagement, transition.name):
            continue
        options.append(
            TransitionOption(
                name=transition.name,
                label=str(transition.label),
                needs_reason=transition.needs_reason,
                blocked_by=_conditions(engagement, transition, user, now),
            )
        )
    return options


def engagement_transition(
    *,
    engagement: Engagement,
    name: str,
    by,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Engagement:
    """Make transition ``name``; returns the engagement, refreshed. Raises
    ``TransitionForbidden`` or ``TransitionRefused`` (nothing changes then).
    ``now`` is the clock (tests and demo data; views never pass it)."""
    transition = _get(name)
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = (
            Engagement.objects.select_for_update().select_related("owner").get(pk=engagement.pk)
        )
        if not access.can_transition(by, locked, name):
            raise TransitionForbidden([gettext("You may not do this.")], transition=name)
        reasons = refusal_reasons(
            engagement=locked, name=name, by=by, reason=reason, now=now, check_permission=False
        )
        if reasons:
            raise TransitionRefused(reasons, transition=name)
        source = locked.status
        locked.status = transition.target
        locked.save(update_fields=["status", "updated_at"])
        record = EngagementTransition(
            engagement=locked,
            name=name,
            from_status=source,
            to_status=transition.target,
            reason=reason,
            by=by,
            at=now,
        )
        record.full_clean()
        record.save()
        side_effect = SIDE_EFFECTS.get(name)
        if side_effect is not None:
            side_effect(locked, by=by, now=now)
        engagement_transitioned.send(
            sender=Engagement,
            engagement=locked,
            transition=name,
            from_status=source,
            to_status=transition.target,
            by=by,
            record=record,
        )
    return locked


def record_creation(*, engagement: Engagement, by, now: datetime.datetime | None = None):
    """The first line of the timeline: created as a draft."""
    record = EngagementTransition(
        engagement=engagement,
        name="create",
        from_status="",
        to_status=engagement.status,
        by=by,
        at=now or timezone.now(),
    )
    record.full_clean()
    record.save()
    return record


# --- Side effects -------------------------------------------------------------------


def _end_pending_participations(engagement: Engagement, *, by, now) -> None:
    """A cancelled engagement frees its consultants' time. Each participation
    keeps its dates (accepted, confirmed) for what compensation owes."""
    from engagements.models import ParticipationChange

    pending = list(
        Participation.objects.select_for_update().filter(
            engagement=engagement, status__in=Participation.PENDING
        )
    )
    for participation in pending:
        source = participation.status
        participation.status = Participation.Status.CANCELLED
        participation.save(update_fields=["status", "updated_at"])
        ParticipationChange.objects.create(
            participation=participation,
            from_status=source,
            to_status=participation.status,
            by=by,
            at=now,
        )
        participation_status_changed.send(
            sender=Participation,
            participation=participation,
            from_status=source,
            to_status=participation.status,
            by=by,
        )


SIDE_EFFECTS: dict[str, Callable] = {
    "cancel": _end_pending_participations,
}
