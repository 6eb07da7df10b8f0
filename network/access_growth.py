"""Who may see or do what with growth: learning events, skills gained,
pathway steps and reflections. The ONLY place of the growth part that
checks roles.

Learning event (the panel on an engagement's staff page, and its form):
    seen by whoever sees the engagement (``engagements.access.can_view``);
    set and changed by whoever runs it (``engagements.access.can_run``:
    owner, assigned staff, managers, administrators). Unseen is 404,
    seen but not run is 403.

A consultant's skills page (staff): whoever may see the consultant
(``consultants.access.consultant_for_user``: 404 otherwise), staff only.
Recording a skill, withdrawing one, marking a pathway step: programme
managers and administrators, and programme staff who run an engagement
she attended; a skill "from an engagement" names one she attended and,
for programme staff, one they run. The mentor of a sign-off is chosen by
search among active consultants the person may see.

Reflections are hers (the portal): she adds, edits and deletes her own,
anyone else's is 404. Those she shared are read on the skills page by
whoever may record her skills and by her wellbeing lead (a recorded view).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role, has_role, is_staff_member
from consultants import access as consultants_access
from consultants.models import Consultant
from engagements import access as engagements_access
from engagements.models import Engagement, Participation
from network.models import Reflection, SkillEvidence

if TYPE_CHECKING:
    from accounts.access import AnyUser


def _is_manager(user: AnyUser) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or has_role(user, Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER))
    )


# --- Learning events ----------------------------------------------------------------


def can_view_event(user: AnyUser, engagement: Engagement) -> bool:
    return is_staff_member(user) and engagements_access.can_view(user, engagement)


def can_set_event(user: AnyUser, engagement: Engagement) -> bool:
    return is_staff_member(user) and engagements_access.can_run(user, engagement)


def engagement_to_set_event(user: AnyUser, pk: int | str) -> Engagement:
    """The engagement to make a learning event: 404 unseen, 403 not run."""
    if not is_staff_member(user):
        raise Http404("No such engagement.")
    engagement = engagements_access.engagement_for_user(user, pk)
    if not can_set_event(user, engagement):
        raise PermissionDenied("You may not change this engagement.")
    return engagement


# --- Skills and steps (staff) ----------------------------------------------------------


def consultant_for_staff(user: AnyUser, pk: int | str) -> Consultant:
    """The consultant whose skills page this is (404 for whoever may not see her)."""
    if not is_staff_member(user):
        raise Http404("No such consultant.")
    return consultants_access.consultant_for_user(user, pk)


def attended_engagements(consultant: Consultant) -> QuerySet[Engagement]:
    return Engagement.objects.filter(
        pk__in=Participation.objects.filter(
            consultant=consultant, status=Participation.Status.ATTENDED
        ).values("engagement_id")
    )


def skill_engagements(user: AnyUser, consultant: Consultant) -> QuerySet[Engagement]:
    """Engagements she attended that ``user`` may name as where a skill came from."""
    attended = attended_engagements(consultant)
    if _is_manager(user):
        return attended
    if is_staff_member(user) and has_role(user, Role.PROGRAMME_STAFF):
        return attended.filter(pk__in=engagements_access.engagements_run_by(user).values("pk"))
    return attended.none()


def can_record_skill(user: AnyUser, consultant: Consultant) -> bool:
    """Record or withdraw a skill, mark a pathway step (module docstring)."""
    if _is_manager(user):
        return True
    return skill_engagements(user, consultant).exists()


def can_read_shared_reflections(user: AnyUser, consultant: Consultant) -> bool:
    """What she chose to share with the team: those who may record her
    skills, and her wellbeing lead; not finance, not other staff."""
    return can_record_skill(user, consultant) or consultants_access.can_read_wellbeing(
        user, consultant
    )


def consultant_to_record(user: AnyUser, pk: int | str) -> Consultant:
    consultant = consultant_for_staff(user, pk)
    if not can_record_skill(user, consultant):
        raise PermissionDenied("You may not record skills for this consultant.")
    return consultant


def evidence_for_staff(user: AnyUser, consultant: Consultant, pk: int | str) -> SkillEvidence:
    try:
        return SkillEvidence.objects.select_related("skill").get(pk=pk, consultant=consultant)
    except (SkillEvidence.DoesNotExist, ValueError, TypeError):
        raise Http404("No such skill.") from None


def can_choose_mentor(user: AnyUser) -> bool:
    return _is_manager(user) or (is_staff_member(user) and has_role(user, Role.PROGRAMME_STAFF))


def mentor_candidates(user: AnyUser) -> QuerySet[Consultant]:
    """Active consultants ``user`` may see (the mentor's search)."""
    return consultants_access.consultants_visible_to(user).filter(
        status=Consultant.Status.ACTIVE, identity_erased_at__isnull=True
    )


# --- Her own growth (portal) -------------------------------------------------------------


def consultant_of(user: AnyUser) -> Consultant | None:
    return consultants_access.consultant_of(user)


def reflection_for_consultant(user: AnyUser, pk: int | str) -> Reflection:
    """Her own reflection, or 404 (anyone else's included)."""
    consultant = consultant_of(user)
    if consultant is None:
        raise Http404("No such reflection.")
    try:
        return Reflection.objects.get(pk=pk, consultant=consultant)
    except (Reflection.DoesNotExist, ValueError, TypeError):
        raise Http404("No such reflection.") from None
