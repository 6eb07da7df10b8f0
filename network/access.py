"""Who may see or do what in the survivor network. The ONLY place in this
app that checks roles.

**Survivor leaders** (part 3 of #18). A leader is a consultant with an open
``Leadership`` (no end date) whose account holds the ``survivor_leader``
role beside the consultant role (``accounts.roles.is_survivor_leader``).
Either alone gives nothing: the role on an account with no open
leadership (ended, or never named) opens no page, and neither does a
leadership row whose account lost the role.

Her area (``/portal/lead/``, ``network.views.lead``):

* anonymous visitors go to sign-in; a signed-in person who is not a
  consultant gets 403 (the portal's rule); a consultant who is not a
  leader gets 403 too (she holds the portal's role, not the area's);
* when any network she leads has ``leaders_need_mfa``, the area opens only
  to a session that signed in (or re-confirmed) with a second factor
  (allauth's authentication records); without one she is sent to a page
  that explains why and how to set one up;
* she sees requests that were submitted for approval (``requests_for_leader``)
  as a summary: audience, purpose, dates, mode, what is asked, the privacy
  plan's choices. Never who is invited or takes part, no consultant's
  identity, no requester's contact, no wellbeing data, no staff notes;
* a request never submitted (a draft) is 404, like anything she may not see;
* she reviews only while the request is submitted (``network.services.reviews``).

Staff see the reviews of an engagement they may see (``can_view_reviews``),
on the engagement's page, where approval happens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.roles import is_staff_member, is_survivor_leader
from engagements import access as engagements_access
from engagements.models import Engagement, EngagementTransition
from network.models import Leadership

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.access import AnyUser


def leadership_of(user: AnyUser) -> Leadership | None:
    """Her open leadership (the oldest, when she leads more than one
    network), or None when she is not a survivor leader. One query."""
    pk = user.pk
    if pk is None or not is_survivor_leader(user):
        return None
    return (
        Leadership.objects.select_related("network", "consultant")
        .filter(consultant__user_id=pk, until__isnull=True)
        .order_by("since", "id")
        .first()
    )


def is_leader(user: AnyUser) -> bool:
    return leadership_of(user) is not None


def leader_needs_mfa(user: AnyUser) -> bool:
    """Any network she leads asks its leaders for a second factor."""
    pk = user.pk
    if pk is None:
        return False
    return Leadership.objects.filter(
        consultant__user_id=pk, until__isnull=True, network__leaders_need_mfa=True
    ).exists()


def session_used_second_factor(request: HttpRequest) -> bool:
    """This session signed in, or re-confirmed, with a second factor
    (allauth records each way a session authenticated)."""
    from allauth.account.authentication import get_authentication_records

    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def has_authenticator(user: AnyUser) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return bool(is_mfa_enabled(user))


def requests_for_leader(user: AnyUser) -> QuerySet[Engagement]:
    """The requests a leader may read in summary: those submitted for
    approval at some point (a draft is nobody's business but its owner's).
    None for anyone else."""
    if not is_leader(user):
        return Engagement.objects.none()
    submitted = EngagementTransition.objects.filter(
        engagement=OuterRef("pk"), to_status=Engagement.Status.SUBMITTED
    )
    return Engagement.objects.filter(
        Q(status=Engagement.Status.SUBMITTED) | Q(Exists(submitted))
    ).exclude(status=Engagement.Status.DRAFT)


def request_for_leader(user: AnyUser, pk: int | str) -> Engagement:
    """One request, in summary, or 404."""
    try:
        return requests_for_leader(user).get(pk=pk)
    except (Engagement.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request.") from None


def can_view_reviews(user: AnyUser, engagement: Engagement) -> bool:
    """Staff who may see the engagement see its advisory reviews."""
    return is_staff_member(user) and engagements_access.can_view(user, engagement)
