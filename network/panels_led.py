"""The "Led by the survivor network" panel on the staff page of an
engagement (registered with ``engagements.panels.register_detail_panel``
in ``NetworkConfig.ready()``): whether the engagement and each work it
produced are network-led, with the forms to change it, for whoever runs
the engagement. Nothing until the network exists."""

from __future__ import annotations

from typing import Any

from engagements.access import Actor
from engagements.models import Engagement
from impact.models import Work
from network import access_staff as access
from network.selectors import led
from network.services.network import current_network

TEMPLATE = "network/panels/engagement_led.html"


def engagement_led(engagement: Engagement, user: Actor) -> dict[str, Any] | None:
    if not access.can_mark_engagement(user, engagement) or current_network() is None:
        return None
    works = list(
        Work.objects.filter(engagements=engagement).only("pk", "title").order_by("-created_at")[:50]
    )
    led_ids = led.works_led_ids(works)
    return {
        "is_led": led.engagement_is_led(engagement),
        "led_works": [{"work": work, "is_led": work.pk in led_ids} for work in works],
    }
