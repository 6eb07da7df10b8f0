from dataclasses import dataclass
from typing import Any

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from accounts import access
from accounts.decorators import consultant_required, staff_required
from accounts.roles import is_survivor_leader
from checklists import selectors as checklist_selectors
from compensation import access as compensation_access
from compensation import selectors as compensation_selectors
from consultants import access as consultant_access
from engagements import access as engagement_access
from engagements import selectors as engagement_selectors
from engagements import workflow
from pages.progress import progress


@never_cache
def home(request):
    """Send each person to their own site."""
    user = request.user
    if not user.is_authenticated:
        return redirect("account_login")
    if access.can_use_staff_site(user):
        return redirect("staff:dashboard")
    if access.can_use_portal(user):
        return redirect("portal:home")
    if access.can_use_admin(user):
        return redirect("admin:index")
    return render(request, "errors/no_role.html", status=403)


@dataclass
class Today:
    """What needs one person today: each card a bounded list (the first rows
    and the count of all, from the owning app's selector), or None when that
    kind of work is not theirs at all."""

    cards: dict[str, Any]

    def __bool__(self) -> bool:
        return any(self.cards.values())

    @property
    def checked(self) -> list[str]:
        """What was looked at for this person, in words (shown with "nothing")."""
        return [str(CHECKED[name]) for name, card in self.cards.items() if card is not None]


CHECKED = {
    "approvals": gettext_lazy("requests to approve"),
    "overdue_lines": gettext_lazy("overdue payments"),
    "approved_unpaid": gettext_lazy("approved payments not yet paid"),
    "drafts": gettext_lazy("draft payments to approve"),
    "unconfirmed_soon": gettext_lazy("engagements starting soon, not confirmed"),
    "needing_people": gettext_lazy("engagements that need people"),
    "said_yes": gettext_lazy("consultants to confirm"),
    "to_complete": gettext_lazy("engagements to mark completed"),
    "debriefs": gettext_lazy("debriefs to write"),
    "time_and_claims": gettext_lazy("time and claims to approve"),
    "checklist": gettext_lazy("overdue checklist items"),
    "stepped_back": gettext_lazy("consultants who stepped back"),
}


def staff_today(user) -> Today:
    """Every card for ``user``'s roles; a fixed number of queries whatever
    the data (tests/pages/test_dashboard.py)."""
    now = timezone.now()
    runs = engagement_access.can_create(user)
    sees_money = compensation_access.can_view_finance_totals(user)
    return Today(
        cards={
            "approvals": engagement_selectors.approval_requests_card(user=user),
            "overdue_lines": compensation_selectors.overdue_lines_card() if sees_money else None,
            "approved_unpaid": (
                compensation_selectors.approved_unpaid_card() if sees_money else None
            ),
            "drafts": (
                compensation_selectors.drafts_to_approve_card()
                if compensation_access.can_manage_payments(user)
                else None
            ),
            "unconfirmed_soon": engagement_selectors.unconfirmed_soon_card(user=user, now=now),
            "needing_people": engagement_selectors.needing_people_card(user=user, now=now),
            "said_yes": engagement_selectors.said_yes_card(user=user),
            "to_complete": engagement_selectors.to_complete_card(user=user, now=now),
            "debriefs": engagement_selectors.debriefs_missing_card(user=user),
            "time_and_claims": (
                compensation_selectors.approvals_waiting_card(
                    participations=compensation_access.participations_run_by(user), viewer=user
                )
                if runs
                else None
            ),
            "checklist": checklist_selectors.overdue_items_card(user=user, now=now),
            "stepped_back": engagement_selectors.stepped_back_card(user=user, now=now),
        }
    )


@staff_required
def staff_dashboard(request):
    """What needs the signed-in person today, for each of their roles
    (everything overdue: nothing is left out for being old), then the ways
    into the staff site."""
    user = request.user
    return render(
        request,
        "staff/dashboard.html",
        {
            "today": staff_today(user),
            "sees_payments": compensation_access.can_view_finance(user),
            "programme_wide": engagement_access.can_approve_requests(user),
        },
    )


@never_cache
@consultant_required
def portal_home(request):
    """Her next engagement first (when, where it stands, its actions: step
    back is one tap from here, then its confirmation page), then what waits
    for her (invitations, things to tick, time to send, payments on their
    way; one query each, whatever she has), then the ways into the portal.
    A fixed number of queries (tests/pages/test_portal_home.py)."""
    consultant = consultant_access.consultant_of(request.user)
    context: dict = {
        "consultant": consultant,
        # The leader area's way in; the role follows her open leadership
        # (network.services.leaders), read with her other roles: no query.
        "is_survivor_leader": is_survivor_leader(request.user),
    }
    if consultant is not None:
        upcoming = engagement_selectors.consultant_next(consultant=consultant)
        if upcoming is not None:
            upcoming.consultant = consultant  # hers: no query to ask whose it is
            actions = workflow.available_actions(
                upcoming, user=request.user, names=("accept", "step_back")
            )
            context["next"] = {
                "participation": upcoming,
                "engagement": upcoming.engagement,
                "progress": progress(upcoming),
                "answer": actions["accept"].offered,
                "step_back": actions["step_back"].allowed,
            }
        context["counts"] = {
            "invitations": engagement_selectors.consultant_invitation_count(consultant=consultant),
            "to_tick": checklist_selectors.consultant_open_count(user=request.user),
            "time_to_send": compensation_selectors.consultant_time_to_send(consultant),
            "on_the_way": compensation_selectors.consultant_payments_on_the_way(consultant),
        }
    return render(request, "portal/home.html", context)
