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

Participations have a table of their own (``PARTICIPATION_ACTIONS``, below):
what a consultant, or the staff who run the engagement, may do with one
participation, from which statuses, on which conditions, each refusal in
words. ``available_actions()`` answers "what may this person do next, and
why not" for the pages; ``participation_transition()`` is the only code
that writes a participation's status, always with the engagement's and the
participation's rows locked (in that order), its history
(``ParticipationChange``) and ``participation_status_changed``.

::

    (new) ─invite─▶ invited ─accept─▶ accepted ─confirm─▶ confirmed ─mark_attended─▶ attended
                       │ │ │             │ │                  │ │    ◀─mark_no_show─▶ no_show
                decline│ │ └revoke─▶ revoked└─step_back─▶ withdrawn ◀┘
                       ▼ └(full)─▶ full                       │
                    declined                                  │
         declined, withdrawn, full ─rejoin─▶ accepted ◀────────┘ (her own, while it needs people)

                                 cancel (the engagement's): invited, accepted,
                                 confirmed ─▶ cancelled

Capacity (``engagements.capacity``): an accept or a rejoin is refused once
the places held (accepted + confirmed) reach the number wanted, counted
under the engagement's lock; the one that fills the last place closes the
invitations still open (``full``, by the workflow: ``by`` is empty). They do
not reopen by themselves when someone later steps back.

Saying no is hers: staff may not invite again a consultant who declined or
stepped back from this engagement (``invite`` says why); she may come back
herself (``rejoin``) while the engagement is staffing or confirmed, has not
started and has a place free.

Two conditions need the database and are checked again when the action
runs, not on every page: consents at confirmation (the service) and double
booking (PostgreSQL's exclusion constraint, reported as ``DoubleBooking``).
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.shortcuts import require
from engagements import access, capacity
from engagements.matching import missing_consents, missing_consents_many
from engagements.models import (
    DOUBLE_BOOKING_CODE,
    DOUBLE_BOOKING_MESSAGE,
    Engagement,
    EngagementTransition,
    Feedback,
    Participation,
    ParticipationChange,
    PrivacyPlan,
)
from engagements.signals import engagement_transitioned, participation_status_changed

if TYPE_CHECKING:
    from engagements.access import Actor

S = Engagement.Status
P = Participation.Status


class TransitionRefused(ValidationError):
    """A transition that may not happen now. ``reasons``: every reason, in words."""

    def __init__(self, reasons: Iterable[str], *, transition: str = "") -> None:
        self.reasons = [str(reason) for reason in reasons]
        self.transition = transition
        super().__init__(self.reasons, code="transition_refused")


class TransitionForbidden(TransitionRefused, PermissionDenied):
    """The user may not make this transition at all (403)."""


class Reason(str):
    """A reason in words that one of the engagement's fields fixes: ``field``
    names it (``"purpose"``), so a page can link to it on the edit form. Still
    a ``str``: every caller that reads reasons as text keeps working."""

    field: str

    def __new__(cls, text: str, *, field: str = "") -> Reason:
        reason = super().__new__(cls, text)
        reason.field = field
        return reason


Guard = Callable[..., Iterable[str | Promise] | None]
# A guard's form for many engagements at once:
# ``many(*, engagements, by, now) -> {engagement_id: reasons}``.
ManyGuard = Callable[..., Mapping[int, Iterable[str | Promise]]]
CoreGuard = Callable[[Engagement, "Actor | None", datetime.datetime], list[str]]
CoreManyGuard = Callable[
    [list[Engagement], "Actor | None", datetime.datetime], dict[int, list[str]]
]
SideEffect = Callable[..., None]


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: frozenset[str]
    target: str
    needs_reason: bool = False
    # Undoes work or says no: the page shows its button in red.
    danger: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("submit", _("Submit for approval"), frozenset({S.DRAFT}), S.SUBMITTED),
        Transition("approve", _("Approve"), frozenset({S.SUBMITTED}), S.APPROVED),
        Transition(
            "decline",
            _("Decline"),
            frozenset({S.SUBMITTED}),
            S.DECLINED,
            needs_reason=True,
            danger=True,
        ),
        Transition("start_staffing", _("Start staffing"), frozenset({S.APPROVED}), S.STAFFING),
        Transition("confirm", _("Confirm"), frozenset({S.STAFFING}), S.CONFIRMED),
        Transition("reopen_staffing", _("Reopen staffing"), frozenset({S.CONFIRMED}), S.STAFFING),
        Transition("complete", _("Mark completed"), frozenset({S.CONFIRMED}), S.COMPLETED),
        Transition("close", _("Close"), frozenset({S.COMPLETED}), S.CLOSED),
        Transition(
            "cancel",
            _("Cancel"),
            frozenset(Engagement.OPEN_STATUSES),
            S.CANCELLED,
            needs_reason=True,
            danger=True,
        ),
    ]
}


def _person(by: Actor | None) -> User | None:
    """Who acted, for a history row: a signed-in user, or nobody (the system)."""
    return by if isinstance(by, User) else None


# --- The registry of guards -----------------------------------------------------------

_guards: dict[str, dict[str, Guard]] = {name: {} for name in TRANSITIONS}
# A guard's form for many engagements (``register_guard(..., many=...)``).
_many_forms: dict[Guard, ManyGuard] = {}


def _guard_key(guard: Guard) -> str:
    return f"{guard.__module__}.{getattr(guard, '__qualname__', repr(guard))}"


def register_guard(
    transition: str, guard: Guard, *, key: str | None = None, many: ManyGuard | None = None
) -> None:
    """Add a condition to ``transition``. Registering the same guard (or key)
    again replaces it, so an app's ``ready()`` may run twice harmlessly.

    ``many``, optional: the same condition for many engagements at once,
    ``many(*, engagements, by, now) -> {engagement_id: reasons}`` (the same
    reasons, in the same order, as ``guard`` for each), in a fixed number of
    queries: lists that show why (the dashboard) ask ``refusal_reasons_many``,
    which uses it. Without it, the guard is asked once per engagement."""
    if transition not in TRANSITIONS:
        raise KeyError(f"No transition named {transition!r}.")
    key = key or _guard_key(guard)
    replaced = _guards[transition].get(key)
    if replaced is not None:
        _many_forms.pop(replaced, None)
    _guards[transition][key] = guard
    if many is not None:
        _many_forms[guard] = many


def unregister_guard(
    transition: str, guard: Guard | None = None, *, key: str | None = None
) -> None:
    if key is None:
        if guard is None:
            raise TypeError("Give the guard or its key.")
        key = _guard_key(guard)
    removed = _guards[transition].pop(key, None)
    if removed is not None:
        _many_forms.pop(removed, None)


def registered_guards(transition: str) -> list[Guard]:
    return list(_guards[transition].values())


@contextlib.contextmanager
def other_apps_guards_set_aside() -> Iterator[None]:
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
        text = gettext("The engagement's start has passed; change its dates first.")
        return [Reason(text, field="start")]
    return []


def _submit(engagement: Engagement, by: Actor | None, now: datetime.datetime) -> list[str]:
    reasons = _starts_in_future(engagement, now)
    if not engagement.purpose.strip():
        reasons.append(Reason(gettext("Describe the purpose."), field="purpose"))
    if not engagement.expected_contribution.strip():
        reasons.append(
            Reason(gettext("Say what is asked of the consultants."), field="expected_contribution")
        )
    if engagement.mode == "in_person" and not engagement.venue.strip():
        reasons.append(Reason(gettext("An engagement in person needs a venue."), field="venue"))
    return reasons


def _approve(engagement: Engagement, by: Actor | None, now: datetime.datetime) -> list[str]:
    return _starts_in_future(engagement, now)


def _privacy_plan(engagement: Engagement) -> PrivacyPlan | None:
    return PrivacyPlan.objects.filter(engagement=engagement).first()


def _confirm(engagement: Engagement, by: Actor | None, now: datetime.datetime) -> list[str]:
    plan = _privacy_plan(engagement)
    confirmed = list(
        Participation.objects.filter(
            engagement=engagement, status=Participation.Status.CONFIRMED
        ).select_related("consultant")
    )
    lacking = missing_consents(
        engagement=engagement, plan=plan, consultants=[p.consultant for p in confirmed]
    )
    return _confirm_reasons(engagement, now, plan=plan, confirmed=confirmed, lacking=lacking)


def _confirm_many(
    engagements: list[Engagement], by: Actor | None, now: datetime.datetime
) -> dict[int, list[str]]:
    """``_confirm`` for many engagements: three queries whatever their number
    (their privacy plans, their confirmed participants, those people's consents)."""
    ids = [engagement.pk for engagement in engagements]
    plans = {plan.engagement_id: plan for plan in PrivacyPlan.objects.filter(engagement__in=ids)}
    confirmed: dict[int, list[Participation]] = {pk: [] for pk in ids}
    for participation in Participation.objects.filter(
        engagement__in=ids, status=Participation.Status.CONFIRMED
    ).select_related("consultant"):
        confirmed[participation.engagement_id].append(participation)
    lacking = missing_consents_many(
        asked=[
            (e, plans.get(e.pk), [p.consultant for p in confirmed[e.pk]])
            for e in engagements
            if confirmed[e.pk]
        ]
    )
    return {
        e.pk: _confirm_reasons(
            e, now, plan=plans.get(e.pk), confirmed=confirmed[e.pk], lacking=lacking.get(e.pk, {})
        )
        for e in engagements
    }


def _confirm_reasons(
    engagement: Engagement,
    now: datetime.datetime,
    *,
    plan: PrivacyPlan | None,
    confirmed: list[Participation],
    lacking: dict[int, str],
) -> list[str]:
    """Why ``engagement`` may not be confirmed, from its plan, its confirmed
    participants and the consents they lack (no query)."""
    reasons = _starts_in_future(engagement, now)
    if engagement.needs_privacy_plan and plan is None:
        reasons.append(
            gettext("An engagement with a “%(audience)s” audience needs a privacy plan first.")
            % {"audience": engagement.get_audience_display()}
        )
    if len(confirmed) < engagement.consultants_wanted:
        reasons.append(
            ngettext(
                "%(wanted)s confirmed consultant is wanted; %(have)s so far.",
                "%(wanted)s confirmed consultants are wanted; %(have)s so far.",
                engagement.consultants_wanted,
            )
            % {"wanted": engagement.consultants_wanted, "have": len(confirmed)}
        )
    for participation in confirmed:
        scopes = lacking.get(participation.consultant_id)
        if scopes:
            reasons.append(
                gettext("%(pseudonym)s has not given consent for: %(scopes)s.")
                % {"pseudonym": participation.consultant.pseudonym, "scopes": scopes}
            )
    return reasons


def _complete(engagement: Engagement, by: Actor | None, now: datetime.datetime) -> list[str]:
    if engagement.start > now:
        return [gettext("The engagement has not started yet.")]
    return []


def _close(engagement: Engagement, by: Actor | None, now: datetime.datetime) -> list[str]:
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


CORE_GUARDS: dict[str, CoreGuard] = {
    "submit": _submit,
    "approve": _approve,
    "confirm": _confirm,
    "complete": _complete,
    "close": _close,
}
# The core conditions that read the database, for many engagements at once
# (the others cost nothing per engagement).
CORE_GUARDS_MANY: dict[str, CoreManyGuard] = {"confirm": _confirm_many}


# --- Checking and running -------------------------------------------------------------


def _conditions(
    engagement: Engagement, transition: Transition, by: Actor | None, now: datetime.datetime
) -> list[str]:
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
    by: Actor,
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


def refusal_reasons_many(
    *,
    engagements: Iterable[Engagement],
    name: str,
    by: Actor,
    now: datetime.datetime | None = None,
) -> dict[int, list[str]]:
    """``refusal_reasons`` (no reason given, no permission check: for lists of
    what ``by`` already runs) for many engagements at once:
    ``{engagement.pk: reasons}``, the same reasons in the same order. A fixed
    number of queries whatever their number, when the transition's core
    conditions (``CORE_GUARDS_MANY``) and every registered guard (``many=``)
    have a form for many; a guard without one is asked per engagement."""
    transition = _get(name)
    now = now or timezone.now()
    result: dict[int, list[str]] = {}
    open_to: list[Engagement] = []
    for engagement in engagements:
        if engagement.status not in transition.sources:
            result[engagement.pk] = [
                gettext("“%(action)s” is not possible while the engagement is “%(status)s”.")
                % {"action": transition.label, "status": engagement.get_status_display()}
            ]
            continue
        result[engagement.pk] = [gettext("Give a reason.")] if transition.needs_reason else []
        open_to.append(engagement)
    if not open_to:
        return result
    core_many = CORE_GUARDS_MANY.get(name)
    core = CORE_GUARDS.get(name)
    if core_many is not None:
        for pk, reasons in core_many(open_to, by, now).items():
            result[pk] += reasons
    elif core is not None:
        for engagement in open_to:
            result[engagement.pk] += core(engagement, by, now)
    for guard in registered_guards(name):
        many = _many_forms.get(guard)
        if many is not None:
            found = many(engagements=open_to, by=by, now=now)
            for engagement in open_to:
                result[engagement.pk] += [str(r) for r in (found.get(engagement.pk) or [])]
        else:
            for engagement in open_to:
                result[engagement.pk] += [
                    str(r) for r in (guard(engagement=engagement, by=by, now=now) or [])
                ]
    return result


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
    danger: bool = False

    @property
    def available(self) -> bool:
        return not self.blocked_by


def transitions_for(
    *, engagement: Engagement, user: Actor, now: datetime.datetime | None = None
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
                danger=transition.danger,
            )
        )
    return options


def engagement_transition(
    *,
    engagement: Engagement,
    name: str,
    by: Actor,
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
            by=_person(by),
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


def record_creation(
    *, engagement: Engagement, by: Actor, now: datetime.datetime | None = None
) -> EngagementTransition:
    """The first line of the timeline: created as a draft."""
    record = EngagementTransition(
        engagement=engagement,
        name="create",
        from_status="",
        to_status=engagement.status,
        by=_person(by),
        at=now or timezone.now(),
    )
    record.full_clean()
    record.save()
    return record


# --- Side effects -------------------------------------------------------------------


def _end_pending_participations(
    engagement: Engagement, *, by: Actor, now: datetime.datetime
) -> None:
    """A cancelled engagement frees its consultants' time. Each participation
    keeps its dates (accepted, confirmed) for what compensation owes."""
    pending = list(
        Participation.objects.select_for_update()
        .select_related("engagement", "consultant")
        .filter(engagement=engagement, status__in=Participation.PENDING)
    )
    for participation in pending:
        _refuse_unless_possible(participation, PARTICIPATION_ACTIONS["cancel"], now)
        _write_status(participation, P.CANCELLED, by=by, now=now)


SIDE_EFFECTS: dict[str, SideEffect] = {
    "cancel": _end_pending_participations,
}


# === Participations =====================================================================


class ParticipationStateError(ValidationError):
    """A participation action that its current status (or its engagement's)
    does not allow."""


class DoubleBooking(ValidationError):
    """A consultant would hold two overlapping engagements."""


# The status of a participation not yet saved: the one ``invite`` starts from.
NEW = ""


@dataclass(frozen=True)
class Refusal:
    """Why an action may not happen: ``code`` for code, ``message`` for people.
    ``about_status``: refused because of the participation's own status (the
    page does not offer the action then); otherwise a condition of the
    engagement or of time (the page offers it, and a click explains)."""

    code: str
    message: str
    about_status: bool = False


Test = Callable[[Participation, datetime.datetime], "Refusal | None"]
Permission = Callable[["Actor", Participation, bool], bool]


@dataclass(frozen=True)
class Check:
    """One condition of an action. ``about_status``: on the participation's
    own status (the others, on its engagement or on time, are skipped once
    an action is refused: they would only cost queries)."""

    test: Test
    about_status: bool = False


def _status_in(statuses: Iterable[str], message: Promise, code: str = "invalid") -> Check:
    """Refused unless the participation is in one of ``statuses``; ``message``
    may name the current status as ``%(s)s``."""
    allowed = frozenset(statuses)

    def test(participation: Participation, now: datetime.datetime) -> Refusal | None:
        if _source(participation) in allowed:
            return None
        return Refusal(
            code,
            str(message) % {"s": participation.get_status_display()},
            about_status=True,
        )

    return Check(test, about_status=True)


def _status_not(status: str, message: Promise, code: str) -> Check:
    def test(participation: Participation, now: datetime.datetime) -> Refusal | None:
        if _source(participation) != status:
            return None
        return Refusal(code, str(message), about_status=True)

    return Check(test, about_status=True)


def _engagement_in(statuses: Iterable[str], message: Promise, code: str) -> Check:
    allowed = frozenset(statuses)

    def test(participation: Participation, now: datetime.datetime) -> Refusal | None:
        engagement = participation.engagement
        if engagement.status in allowed:
            return None
        return Refusal(code, str(message) % {"s": engagement.get_status_display()})

    return Check(test)


def _starts_after_now(message: Promise) -> Check:
    def test(participation: Participation, now: datetime.datetime) -> Refusal | None:
        if participation.engagement.start > now:
            return None
        return Refusal("started", str(message))

    return Check(test)


def _has_started_test(participation: Participation, now: datetime.datetime) -> Refusal | None:
    if participation.engagement.start <= now:
        return None
    return Refusal("not_started", gettext("The engagement has not started yet."))


def _not_ended_test(participation: Participation, now: datetime.datetime) -> Refusal | None:
    if participation.engagement.end > now:
        return None
    return Refusal("ended", gettext("This engagement has already ended."))


def _no_feedback_yet_test(participation: Participation, now: datetime.datetime) -> Refusal | None:
    if not Feedback.objects.filter(participation=participation).exists():
        return None
    return Refusal("duplicate", gettext("You have already given feedback on this engagement."))


_has_started = Check(_has_started_test)
_not_ended = Check(_not_ended_test)
_no_feedback_yet = Check(_no_feedback_yet_test)

FULL_MESSAGE = _("This one is now full. Thank you for being ready to help.")


def _has_room(message: Promise) -> Check:
    """Refused once the places held reach the number wanted (a count; under
    the engagement's lock when the action runs)."""

    def test(participation: Participation, now: datetime.datetime) -> Refusal | None:
        if not capacity.is_full(participation.engagement):
            return None
        return Refusal(capacity.FULL_MESSAGE_CODE, str(message))

    return Check(test)


def _not_turned_away_test(participation: Participation, now: datetime.datetime) -> Refusal | None:
    """Staff may not invite someone who said no to, or stepped back from,
    this engagement: coming back is hers (``rejoin``)."""
    if participation.consultant_id is None:
        return None
    earlier = (
        Participation.objects.filter(
            engagement_id=participation.engagement_id,
            consultant_id=participation.consultant_id,
            status__in=Participation.TURNED_AWAY,
        )
        .order_by("-updated_at")
        .values_list("status", flat=True)
        .first()
    )
    if earlier is None:
        return None
    if earlier == P.WITHDRAWN:
        message = gettext(
            "%(pseudonym)s stepped back from this engagement. Only they can change that: "
            "they may rejoin it from their portal while it needs people."
        )
    else:
        message = gettext(
            "%(pseudonym)s said no to this engagement. Only they can change that: "
            "they may rejoin it from their portal while it needs people."
        )
    return Refusal(
        "turned_away",
        message % {"pseudonym": participation.consultant.pseudonym},
        about_status=True,
    )


def _no_live_twin_test(participation: Participation, now: datetime.datetime) -> Refusal | None:
    """Rejoining reuses her earlier participation; an invitation made since
    (before staff were stopped from making it) is the one to answer."""
    twin = (
        Participation.objects.filter(
            engagement_id=participation.engagement_id,
            consultant_id=participation.consultant_id,
            status__in=Participation.LIVE,
        )
        .exclude(pk=participation.pk)
        .exists()
    )
    if not twin:
        return None
    return Refusal(
        "already_invited",
        gettext("You already have a newer invitation to this engagement: answer that one."),
    )


_not_turned_away = Check(_not_turned_away_test, about_status=True)
_no_live_twin = Check(_no_live_twin_test)


def _runs_it(user: Actor, participation: Participation, on_behalf: bool) -> bool:
    return access.can_manage_participation(user, participation)


def _answers(user: Actor, participation: Participation, on_behalf: bool) -> bool:
    return access.can_respond(user, participation, on_behalf=on_behalf)


def _invites(user: Actor, participation: Participation, on_behalf: bool) -> bool:
    return access.can_invite(user, participation.engagement)


def _herself(user: Actor, participation: Participation, on_behalf: bool) -> bool:
    return not on_behalf and access.is_own(user, participation)


@dataclass(frozen=True)
class ParticipationActionRule:
    """One row of the table: who may (``permission``), from what and on what
    conditions (``checks``, in the order their refusals are given), and the
    status it leads to (None: the action changes something else)."""

    name: str
    permission: Permission | None
    checks: tuple[Check, ...]
    target: str | None = None


ANSWERABLE = (S.STAFFING, S.CONFIRMED)
ATTENDANCE_OPEN = (S.CONFIRMED, S.COMPLETED)
FEEDBACK_OPEN = (S.COMPLETED, S.CLOSED)
# The join link and the calendar entry: for those who said yes.
COMING = frozenset({P.ACCEPTED, P.CONFIRMED})
# What she may come back from herself (``rejoin``).
REJOINABLE = frozenset({P.DECLINED, P.WITHDRAWN, P.FULL})


def _attendance(name: str, target: str) -> ParticipationActionRule:
    return ParticipationActionRule(
        name,
        _runs_it,
        (
            _engagement_in(
                ATTENDANCE_OPEN,
                _("Attendance is marked for a confirmed or completed engagement."),
                "wrong_state",
            ),
            _has_started,
            _status_in(
                (P.CONFIRMED, P.ATTENDED, P.NO_SHOW),
                _("Only a confirmed participant's attendance is marked; this one is “%(s)s”."),
                "not_confirmed",
            ),
            _status_not(target, _("This attendance is already marked so."), "unchanged"),
        ),
        target,
    )


PARTICIPATION_ACTIONS: dict[str, ParticipationActionRule] = {
    rule.name: rule
    for rule in [
        # Staff who run the engagement.
        ParticipationActionRule(
            "invite",
            _invites,
            (
                _status_in((NEW,), _("This consultant is already invited.")),
                _not_turned_away,
                _engagement_in(
                    (S.STAFFING,),
                    _("Consultants are invited while the engagement is staffing; it is “%(s)s”."),
                    "not_staffing",
                ),
                _starts_after_now(_("The engagement has already started.")),
                _has_room(
                    _(
                        "As many consultants as wanted have said yes. To invite more, "
                        "raise the number wanted first."
                    )
                ),
            ),
            P.INVITED,
        ),
        ParticipationActionRule(
            "revoke",
            _runs_it,
            (
                _status_in(
                    (P.INVITED, P.ACCEPTED),
                    _(
                        "Only an invitation not yet confirmed can be withdrawn; "
                        "this one is “%(s)s”."
                    ),
                ),
            ),
            P.REVOKED,
        ),
        ParticipationActionRule(
            "confirm",
            _runs_it,
            (
                _status_not(
                    P.CONFIRMED, _("This consultant is already confirmed."), "already_confirmed"
                ),
                _status_in(
                    (P.ACCEPTED,),
                    _("Only an accepted invitation can be confirmed; this one is “%(s)s”."),
                    "not_accepted",
                ),
                _engagement_in(ANSWERABLE, _("This engagement is not staffing."), "not_staffing"),
            ),
            P.CONFIRMED,
        ),
        _attendance("mark_attended", P.ATTENDED),
        _attendance("mark_no_show", P.NO_SHOW),
        # The consultant (or staff recording what they said: ``on_behalf``).
        ParticipationActionRule(
            "accept",
            _answers,
            (
                _status_not(P.FULL, FULL_MESSAGE, capacity.FULL_MESSAGE_CODE),
                _status_in(
                    (P.INVITED,),
                    _("This invitation is “%(s)s”: it can no longer be accepted."),
                    "not_invited",
                ),
                _engagement_in(
                    ANSWERABLE,
                    _("This engagement is no longer looking for consultants."),
                    "not_staffing",
                ),
                _starts_after_now(_("This engagement has already started.")),
                _has_room(FULL_MESSAGE),
            ),
            P.ACCEPTED,
        ),
        # Coming back after saying no or stepping back, or to an invitation
        # closed as full: hers alone, while a place is free.
        ParticipationActionRule(
            "rejoin",
            _herself,
            (
                _status_in(
                    REJOINABLE,
                    _("This participation is “%(s)s”: there is nothing to rejoin."),
                    "not_rejoinable",
                ),
                _engagement_in(
                    ANSWERABLE,
                    _("This engagement is no longer looking for consultants."),
                    "not_staffing",
                ),
                _starts_after_now(_("This engagement has already started.")),
                _has_room(FULL_MESSAGE),
                _no_live_twin,
            ),
            P.ACCEPTED,
        ),
        ParticipationActionRule(
            "decline",
            _answers,
            (
                _status_in(
                    (P.INVITED,),
                    _("This invitation is “%(s)s”: it can no longer be declined."),
                    "not_invited",
                ),
            ),
            P.DECLINED,
        ),
        ParticipationActionRule(
            "step_back",
            _answers,
            (
                _status_in(
                    COMING,
                    _("This participation is “%(s)s”: there is nothing to step back from."),
                    "not_booked",
                ),
                _not_ended,
            ),
            P.WITHDRAWN,
        ),
        ParticipationActionRule(
            "share",
            _answers,
            (
                _status_in(
                    (P.INVITED, P.ACCEPTED, P.CONFIRMED),
                    _("This choice can no longer be changed."),
                    "closed",
                ),
            ),
        ),
        ParticipationActionRule(
            "feedback",
            _answers,
            (
                _engagement_in(
                    FEEDBACK_OPEN,
                    _("Feedback opens once the engagement is completed."),
                    "not_completed",
                ),
                _status_in(
                    (P.ATTENDED,), _("Feedback is for those who took part."), "not_attended"
                ),
                _no_feedback_yet,
            ),
        ),
        # The engagement's cancellation (its workflow, not a person, asks).
        ParticipationActionRule(
            "cancel",
            None,
            (_status_in(Participation.PENDING, _("This participation has already ended.")),),
            P.CANCELLED,
        ),
    ]
}

# What a person does with a participation that exists (``available_actions``).
PERSON_ACTIONS = (
    "revoke",
    "confirm",
    "mark_attended",
    "mark_no_show",
    "accept",
    "decline",
    "step_back",
    "rejoin",
    "share",
    "feedback",
)


@dataclass(frozen=True)
class ParticipationAction:
    """What one person may do with one participation now.

    ``allowed``: they may, now. ``reason``: why not, in words, when not.
    ``offered``: the participation's status is one the action starts from
    and the person may make it: the page shows it even when a condition of
    the engagement or of time is not met, and a click explains."""

    name: str
    allowed: bool
    reason: str = ""
    offered: bool = False
    code: str = ""


def _source(participation: Participation) -> str:
    return NEW if participation._state.adding else participation.status


def _rule(name: str) -> ParticipationActionRule:
    try:
        return PARTICIPATION_ACTIONS[name]
    except KeyError:
        raise ParticipationStateError(gettext("Unknown action."), code="unknown") from None


def _first_refusal(
    participation: Participation, rule: ParticipationActionRule, now: datetime.datetime
) -> tuple[Refusal | None, bool]:
    """(the first refusal, whether every check about the status passed)."""
    first: Refusal | None = None
    status_ok = True
    for check in rule.checks:
        if first is not None and not check.about_status:
            continue
        refusal = check.test(participation, now)
        if refusal is None:
            continue
        if first is None:
            first = refusal
        if refusal.about_status:
            status_ok = False
            break
    return first, status_ok


def _permitted(
    rule: ParticipationActionRule, user: Actor | None, participation: Participation, on_behalf: bool
) -> bool:
    return (
        rule.permission is not None
        and user is not None
        and rule.permission(user, participation, on_behalf)
    )


def participation_action(
    *,
    participation: Participation,
    name: str,
    user: Actor,
    on_behalf: bool = False,
    now: datetime.datetime | None = None,
) -> ParticipationAction:
    """Whether ``user`` may take action ``name`` on ``participation`` now, and
    why not. ``on_behalf``: staff recording the consultant's own answer."""
    rule = _rule(name)
    now = now or timezone.now()
    if not _permitted(rule, user, participation, on_behalf):
        return ParticipationAction(name, False, gettext("You may not do this."), code="forbidden")
    refusal, status_ok = _first_refusal(participation, rule, now)
    if refusal is None:
        return ParticipationAction(name, True, offered=True)
    return ParticipationAction(name, False, refusal.message, offered=status_ok, code=refusal.code)


def available_actions(
    participation: Participation,
    *,
    user: Actor,
    now: datetime.datetime | None = None,
    names: Iterable[str] | None = None,
) -> dict[str, ParticipationAction]:
    """Every action a person may take on ``participation`` (``PERSON_ACTIONS``,
    or only ``names``), each allowed or not with the reason. The consultant's
    own participation: their answers; staff who run the engagement: their
    actions and the consultant's answers recorded on their behalf."""
    now = now or timezone.now()
    on_behalf = not access.is_own(user, participation)
    return {
        name: participation_action(
            participation=participation, name=name, user=user, on_behalf=on_behalf, now=now
        )
        for name in (PERSON_ACTIONS if names is None else names)
    }


def invite_action(
    *, engagement: Engagement, user: Actor, now: datetime.datetime | None = None
) -> ParticipationAction:
    """Whether ``user`` may invite consultants to ``engagement`` now (matching
    still decides whom)."""
    return participation_action(
        participation=Participation(engagement=engagement), name="invite", user=user, now=now
    )


def _refuse_unless_possible(
    participation: Participation, rule: ParticipationActionRule, now: datetime.datetime
) -> None:
    refusal, _status_ok = _first_refusal(participation, rule, now)
    if refusal is not None:
        raise ParticipationStateError(refusal.message, code=refusal.code)


def participation_check(
    *,
    participation: Participation,
    name: str,
    by: Actor,
    on_behalf: bool = False,
    now: datetime.datetime | None = None,
) -> None:
    """Raise ``PermissionDenied`` (403) when ``by`` may not take action ``name``
    at all, ``ParticipationStateError`` (its code and words) when not now."""
    rule = _rule(name)
    require(_permitted(rule, by, participation, on_behalf))
    _refuse_unless_possible(participation, rule, now or timezone.now())


def lock_participation(participation: Participation) -> Participation:
    """The participation's row locked, after its engagement's: always in this
    order (as ``engagement_update`` and the engagement workflow do), so a
    change of dates and an answer to the invitation happen one after the
    other. Call inside a transaction."""
    Engagement.objects.select_for_update().filter(pk=participation.engagement_id).exists()
    return (
        Participation.objects.select_for_update(of=("self",))
        .select_related("engagement", "consultant", "engagement__owner")
        .get(pk=participation.pk)
    )


def participation_transition(
    *,
    participation: Participation,
    name: str,
    by: Actor,
    on_behalf: bool = False,
    now: datetime.datetime | None = None,
    changes: Callable[[Participation], Mapping[str, Any]] | None = None,
) -> Participation:
    """Take action ``name`` (one that changes the status): lock, check
    permission and the table, set ``changes(locked)`` with the new status,
    ``full_clean()``, save, write the history and send
    ``participation_status_changed``, all in one transaction. A new
    participation (``invite``) is inserted; its engagement is locked.
    Returns the participation as saved. Raises ``PermissionDenied``,
    ``ParticipationStateError`` or ``DoubleBooking``; nothing changes then."""
    rule = _rule(name)
    if rule.target is None:
        raise ValueError(f"{name!r} does not change the status.")
    now = now or timezone.now()
    with transaction.atomic():
        if participation._state.adding:
            Engagement.objects.select_for_update().filter(pk=participation.engagement_id).exists()
            locked = participation
        else:
            locked = lock_participation(participation)
        participation_check(participation=locked, name=name, by=by, on_behalf=on_behalf, now=now)
        fields = []
        for field, value in (changes(locked) if changes else {}).items():
            setattr(locked, field, value)
            fields.append(field)
        _write_status(locked, rule.target, by=by, now=now, fields=fields)
        if rule.target in Participation.HOLDING_A_PLACE:
            _close_open_invitations_if_full(locked.engagement, now=now)
    return locked


def _close_open_invitations_if_full(engagement: Engagement, *, now: datetime.datetime) -> None:
    """Once the places are all taken, the invitations still open close
    (``full``): nobody is asked for a place that is gone, and their
    reminders stop (each kind's ``prepare`` skips what is not invited).
    Runs under the engagement's lock, inside the transaction of the answer
    that filled the last place; the history says "automatic" (no ``by``)."""
    if not capacity.is_full(engagement):
        return
    waiting = list(
        Participation.objects.select_for_update(of=("self",))
        .select_related("engagement", "consultant")
        .filter(engagement=engagement, status=P.INVITED)
        .order_by("pk")
    )
    for participation in waiting:
        _write_status(participation, P.FULL, by=None, now=now)


def _write_status(
    participation: Participation,
    status: str,
    *,
    by: Actor | None,
    now: datetime.datetime,
    fields: Iterable[str] = (),
) -> None:
    """The one writer of a participation's status: the row (refusing a double
    booking), its history row and the signal."""
    adding = participation._state.adding
    source = _source(participation)
    previous = participation.status
    participation.status = status
    try:
        participation.full_clean()
    except ValidationError as error:
        participation.status = previous
        if any(e.code == DOUBLE_BOOKING_CODE for e in error.error_dict.get(NON_FIELD_ERRORS, [])):
            raise DoubleBooking(DOUBLE_BOOKING_MESSAGE, code=DOUBLE_BOOKING_CODE) from error
        raise
    if adding:
        participation.save()
    else:
        try:
            with transaction.atomic():
                participation.save(update_fields=["status", "updated_at", *fields])
        except IntegrityError as error:
            # Another transaction booked the same time after our check and
            # committed first: the exclusion constraint had the last word.
            participation.status = previous
            raise DoubleBooking(DOUBLE_BOOKING_MESSAGE, code=DOUBLE_BOOKING_CODE) from error
    ParticipationChange.objects.create(
        participation=participation, from_status=source, to_status=status, by=_person(by), at=now
    )
    participation_status_changed.send(
        sender=Participation,
        participation=participation,
        from_status=source,
        to_status=status,
        by=by,
    )
