"""The default template shipped by migration 0002, from the practice texts."""

import pytest

from checklists import services
from checklists.models import Condition, Evidence, Gate, OwnerRole, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    template = services.template_current()
    assert template is not None and template.is_published and template.version == 1
    return {item.key: item for item in template.items.all()}


def test_every_practice_of_the_issue_is_an_item(items):
    titles = " | ".join(item.title for item in items.values()).lower()
    for words in (
        "purpose and expected contribution",
        "work or school",
        "informed consent for participation",
        "recording",
        "need not share their personal story and can stop at any time",
        "compensation agreed in writing: preparation, travel, the engagement and debrief",
        "food and transport arranged or advanced",
        "privacy plan approved",
        "trauma-risk plan and support person",
        "briefing held",
        "check-in",
        "debrief within 48 hours",
        "wellbeing follow-up",
        "payment made within the target",
        "feedback collected",
        "credited, by pseudonym and only with consent",
    ):
        assert words in titles, words


def test_stages_gates_and_conditions(items):
    assert items["privacy-plan"].condition == Condition.EXPOSED_AUDIENCE
    assert items["privacy-plan"].gates == Gate.CONFIRM
    assert items["food-transport"].condition == Condition.IN_PERSON
    assert items["data-allowance"].condition == Condition.ONLINE
    assert items["testimony-options"].engagement_types == ["legislative_hearing"]
    assert items["check-in"].stage == Stage.DURING
    assert items["debrief"].due_anchor == "end" and items["debrief"].due_offset_days == 2
    assert items["compensation-agreed"].evidence == Evidence.FILE
    assert {i.key for i in items.values() if i.owner_role == OwnerRole.CONSULTANT} == {
        "read-brief",
        "know-my-choices",
    }
    for item in items.values():
        if item.gates == Gate.CONFIRM:
            assert item.stage == Stage.BEFORE
        if item.gates == Gate.CLOSE:
            assert item.stage == Stage.AFTER
        assert item.guidance.strip(), item.key
    # Consent and the right to stop are never waived.
    for key in ("consent-participation", "story-and-stopping", "trauma-risk-plan"):
        assert not items[key].waivable


def test_guidance_is_warm_and_plain(items):
    assert "never have to share their personal story" in items["story-and-stopping"].guidance
    assert "without giving a reason" in items["story-and-stopping"].guidance
    assert "experts" in items["purpose-explained"].guidance
    orders = [item.order for item in items.values()]
    assert orders == sorted(orders)
