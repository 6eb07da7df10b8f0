"""A survivor leader's area (/portal/lead/): what it shows, what it never
shows, the review form with hostile input, the second factor her network
may ask for, and the query count of her home page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from engagements import workflow
from engagements.models import Participation, ParticipationRole, PrivacyPlan
from network.models import AdvisoryReview, CircleMembership, LearningEvent, PeerCircle
from network.services.reviews import review_give
from tests.accounts.factories import give_totp
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.helpers import client_for
from tests.network.lead_world import mfa_client, submitted_request

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script>'


@pytest.fixture
def invited(media_request):
    """A consultant invited to the media request: the leader never sees her."""
    consultant = ConsultantFactory(pseudonym="Marikit", legal_name="Maria Secret Santos")
    ParticipationFactory(engagement=media_request, consultant=consultant)
    PrivacyPlan.objects.create(
        updated_by=media_request.owner,
        engagement=media_request,
        photo="protected",
        identity_known_to="Only Ate Nena Cruz at the door",
        support_person_present="Her aunt, Lorna Reyes",
    )
    return consultant


# --- Home -------------------------------------------------------------------------------


def test_home_lists_requests_marked(
    lead_leader, media_request, internal_request, programme_staff_user
):
    reviewed = submitted_request(
        programme_staff_user, title="Senate hearing", audience="government"
    )
    review_give(engagement=reviewed, by=lead_leader[0], recommendation="recommend")
    draft = EngagementFactory(owner=programme_staff_user, title="A draft nobody sees")
    page = client_for(lead_leader[0]).get(reverse("lead:home")).content.decode()
    assert "Radio feature on online safety" in page and "Module review" in page
    assert draft.title not in page
    assert page.count("Needs a review before approval") == 1  # the media request
    assert page.count("You reviewed it") == 1  # the hearing
    assert "A review is welcome" in page  # the internal one
    # Newest first.
    assert page.index("Senate hearing") < page.index("Module review") < page.index("Radio")
    assert "TODO" not in page  # the figures' note is a template comment


def test_home_pages(lead_leader, programme_staff_user):
    for n in range(23):
        submitted_request(programme_staff_user, title=f"Request {n:02d}")
    client = client_for(lead_leader[0])
    first = client.get(reverse("lead:home")).content.decode()
    second = client.get(reverse("lead:home") + "?page=2").content.decode()
    assert "Request 22" in first and "Request 00" not in first
    assert "Request 00" in second
    assert client.get(reverse("lead:home") + "?page=<x>").status_code == 200


def test_home_lists_what_she_leads_without_names(
    lead_leader, lead_network, manager_user, make_user
):
    user, leadership = lead_leader
    me = leadership.consultant
    event = EngagementFactory(title="Leadership camp 2026", type="leadership_camp")
    LearningEvent.objects.create(engagement=event, kind="leadership_camp", created_by=manager_user)
    ParticipationFactory(engagement=event, consultant=me, role=ParticipationRole.CO_FACILITATOR)
    other = EngagementFactory(title="Camp she declined", type="training")
    LearningEvent.objects.create(engagement=other, kind="training", created_by=manager_user)
    ParticipationFactory(
        engagement=other,
        consultant=me,
        role=ParticipationRole.FACILITATOR,
        status=Participation.Status.DECLINED,
    )
    circle = PeerCircle.objects.create(
        network=lead_network, name="Tuesday circle", facilitator=me, staff_contact=manager_user
    )
    member = ConsultantFactory(pseudonym="Sampaguita")
    CircleMembership.objects.create(circle=circle, consultant=member)
    PeerCircle.objects.create(
        network=lead_network, name="Someone else's circle", staff_contact=manager_user
    )
    page = client_for(user).get(reverse("lead:home")).content.decode()
    assert "Leadership camp 2026" in page and "Co-facilitator" in page
    assert "Camp she declined" not in page
    assert "Tuesday circle" in page and "1 member" in page
    assert "Someone else" not in page
    assert "Sampaguita" not in page and member.legal_name not in page


def _seed(n, user, leadership, lead_network, owner, manager):
    for i in range(n):
        engagement = submitted_request(owner, audience="media")
        if i % 2:
            review_give(engagement=engagement, by=user, recommendation="recommend")
        event = EngagementFactory(type="training")
        LearningEvent.objects.create(engagement=event, kind="training", created_by=manager)
        ParticipationFactory(
            engagement=event, consultant=leadership.consultant, role=ParticipationRole.FACILITATOR
        )
        PeerCircle.objects.create(
            network=lead_network,
            name=f"Circle {n}-{i}",
            facilitator=leadership.consultant,
            staff_contact=manager,
        )


def test_home_query_count_does_not_grow(
    lead_leader, lead_network, programme_staff_user, manager_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user, leadership = lead_leader
    client = client_for(user)
    counts = []
    for n in (2, 12):
        _seed(n, user, leadership, lead_network, programme_staff_user, manager_user)
        client.get(reverse("lead:home"))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("lead:home"))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 14, counts


# --- A request in summary ------------------------------------------------------------------


def test_the_summary_names_nobody(lead_leader, media_request, invited):
    page = client_for(lead_leader[0]).get(reverse("lead:request", args=[media_request.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Radio feature on online safety" in text
    assert "Media" in text and "Hear consultants on the new module." in text
    assert "Advice from lived experience." in text
    assert "Allowed, face or voice protected" in text  # the plan's choices
    assert "The network asks for a leader&#x27;s review" in text or "leader" in text
    for secret in (
        "Marikit",
        invited.legal_name,
        invited.email,
        invited.phone,
        "Nena Cruz",  # the plan's free text may name people
        "Lorna Reyes",
        "juan@radyo.example",  # the requester's contact
        "Radyo Bayan",
        "producer called twice",  # staff notes
        "meet.example.org",  # the link
        media_request.owner.email,
    ):
        assert secret not in text, secret


@pytest.mark.parametrize("which", ["draft", "missing", "text"])
def test_a_request_she_may_not_see_is_404(which, lead_leader, programme_staff_user):
    match which:
        case "draft":
            pk = EngagementFactory(owner=programme_staff_user).pk
        case "missing":
            pk = 999999
        case _:
            pk = None
    client = client_for(lead_leader[0])
    if pk is None:
        assert client.get("/portal/lead/requests/abc/").status_code == 404
        return
    assert client.get(reverse("lead:request", args=[pk])).status_code == 404
    assert client.get(reverse("lead:review", args=[pk])).status_code == 404
    assert (
        client.post(reverse("lead:review", args=[pk]), {"recommendation": "recommend"}).status_code
        == 404
    )


def test_a_request_no_longer_waiting_says_so(lead_leader, internal_request, manager_user):
    workflow.engagement_transition(engagement=internal_request, name="approve", by=manager_user)
    client = client_for(lead_leader[0])
    page = client.get(reverse("lead:request", args=[internal_request.pk])).content.decode()
    assert "no longer waiting for approval" in page and "Give your review" not in page
    response = client.post(
        reverse("lead:review", args=[internal_request.pk]), {"recommendation": "recommend"}
    )
    assert response.status_code == 400
    assert "no longer waiting for approval" in response.content.decode()
    assert not AdvisoryReview.objects.exists()


# --- The review form ------------------------------------------------------------------------


def test_review_with_changes_and_revise(lead_leader, media_request):
    client = client_for(lead_leader[0])
    url = reverse("lead:review", args=[media_request.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"recommendation": "with_changes", "changes": "Blur faces. " + XSS, "notes": XSS}
    )
    assert response.status_code == 302
    page = client.get(reverse("lead:request", args=[media_request.pk])).content.decode()
    assert "Recommend with changes" in page and "Blur faces." in page
    assert XSS not in page and "&lt;script&gt;" in page
    assert "Change your review" in page
    # The form comes back filled in; a revision replaces it.
    assert "Blur faces." in client.get(url).content.decode()
    client.post(url, {"recommendation": "recommend", "changes": "", "notes": "Fine."})
    review = AdvisoryReview.objects.get()
    assert (review.recommendation, review.changes, review.notes) == ("recommend", "", "Fine.")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"recommendation": ""},
        {"recommendation": "approve"},
        {"recommendation": "with_changes", "changes": "  "},
        {"recommendation": "recommend", "notes": "x" * 4001},
        {"recommendation": "recommend", "changes": "x" * 2001},
    ],
)
def test_bad_review_input_is_400(data, lead_leader, media_request):
    response = client_for(lead_leader[0]).post(
        reverse("lead:review", args=[media_request.pk]), data
    )
    assert response.status_code == 400
    assert not AdvisoryReview.objects.exists()


def test_other_fields_are_ignored(lead_leader, media_request, make_user):
    """Posting another lead_leader, another engagement or a date changes nothing
    but her own review."""
    other = ConsultantFactory()
    client_for(lead_leader[0]).post(
        reverse("lead:review", args=[media_request.pk]),
        {
            "recommendation": "recommend",
            "leader": other.pk,
            "engagement": 1,
            "submitted_at": "2001-01-01",
        },
    )
    review = AdvisoryReview.objects.get()
    assert review.leader == lead_leader[1].consultant and review.engagement == media_request
    assert review.submitted_at.year == timezone.now().year


@pytest.mark.parametrize("method", ["put", "delete"])
def test_wrong_method(method, lead_leader, media_request):
    client = client_for(lead_leader[0])
    assert (
        getattr(client, method)(reverse("lead:review", args=[media_request.pk])).status_code == 405
    )
    assert getattr(client, method)(reverse("lead:home")).status_code == 405


# --- A second factor, when her network asks for it ---------------------------------------------


@pytest.fixture
def mfa_on(lead_network):
    lead_network.leaders_need_mfa = True
    lead_network.save()
    return lead_network


def test_mfa_off_password_session_opens_the_area(lead_leader, media_request):
    assert client_for(lead_leader[0]).get(reverse("lead:home")).status_code == 200


def test_mfa_on_without_an_authenticator_explains_how(lead_leader, mfa_on, media_request):
    client = client_for(lead_leader[0])
    for url in (
        reverse("lead:home"),
        reverse("lead:request", args=[media_request.pk]),
        reverse("lead:review", args=[media_request.pk]),
        reverse("leader_figures:index"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("lead:second_factor")
    response = client.post(
        reverse("lead:review", args=[media_request.pk]), {"recommendation": "recommend"}
    )
    assert response.status_code == 302 and not AdvisoryReview.objects.exists()
    page = client.get(reverse("lead:second_factor")).content.decode()
    assert reverse("mfa_activate_totp") in page


def test_mfa_on_with_an_authenticator_but_a_password_session(lead_leader, mfa_on):
    give_totp(lead_leader[0])
    client = client_for(lead_leader[0])
    assert client.get(reverse("lead:home")).status_code == 302
    page = client.get(reverse("lead:second_factor")).content.decode()
    assert reverse("mfa_reauthenticate") in page
    assert reverse("mfa_activate_totp") not in page


def test_mfa_on_with_a_second_factor_session_opens_the_area(lead_leader, mfa_on, media_request):
    give_totp(lead_leader[0])
    client = mfa_client(lead_leader[0])
    assert client.get(reverse("lead:home")).status_code == 200
    assert client.get(reverse("lead:request", args=[media_request.pk])).status_code == 200
    assert client.get(reverse("leader_figures:index")).status_code == 200
    # Nothing left to explain: the page sends her home.
    response = client.get(reverse("lead:second_factor"))
    assert response.status_code == 302 and response.url == reverse("lead:home")


def test_mfa_is_asked_when_any_network_she_leads_asks(lead_leader, make_user, manager_user):
    from network.services.leaders import leader_name
    from tests.network.lead_world import make_network

    strict = make_network(name="Another network", short_name="AN", leaders_need_mfa=True)
    leader_name(network=strict, consultant=lead_leader[1].consultant, by=manager_user)
    assert client_for(lead_leader[0]).get(reverse("lead:home")).status_code == 302


def test_the_activation_page_is_reachable_for_her(lead_leader, mfa_on):
    """allauth's TOTP set-up opens for a leader just signed in with her
    password (the staff-only restriction is not hers)."""
    client = mfa_client(lead_leader[0], second_factor=False)
    assert client.get(reverse("lead:home")).status_code == 302
    response = client.get(reverse("mfa_activate_totp"))
    # allauth asks for her password again first when the sign-in is not
    # recent; either way the page is hers to reach (never the staff-only
    # "ask for an invitation" page, never 403).
    if response.status_code == 302:
        assert response.url.startswith(reverse("account_reauthenticate"))
        response = client.get(response.url)
    assert response.status_code == 200


def test_an_ended_leadership_closes_the_area(lead_leader, media_request, manager_user):
    from network.services.leaders import leader_end

    user, leadership = lead_leader
    client = client_for(user)
    assert client.get(reverse("lead:home")).status_code == 200
    leader_end(leadership=leadership, by=manager_user)
    for url in (
        reverse("lead:home"),
        reverse("lead:request", args=[media_request.pk]),
        reverse("lead:review", args=[media_request.pk]),
    ):
        assert client.get(url).status_code == 403
    assert (
        client.post(
            reverse("lead:review", args=[media_request.pk]), {"recommendation": "recommend"}
        ).status_code
        == 403
    )
    assert not AdvisoryReview.objects.exists()
