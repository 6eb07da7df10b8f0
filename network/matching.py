"""Skills gained, as evidence for matching (issue #18, peers).

Staff tag a consultant's expertise; the network knows more: a skill gained
at a learning event she attended, on an engagement, signed off by a mentor
or recorded by staff (``SkillEvidence``, current while ``withdrawn_at`` is
null). ``register()`` (from ``NetworkConfig.ready()``) gives matching the
SQL of the current evidence of the topics wanted and the words for each
piece, so a consultant who has a wanted skill only by evidence fits as
well as one tagged with it, and the reason names where it came from.

What the words may name, for the staff who read the matching page: the
title of a learning event (a programme-wide training or camp), a mentor's
pseudonym; never the title of another engagement (that one's staff may not
see it), only that it was shown on an engagement.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from engagements.matching import register_skill_evidence
from network.models import SkillEvidence

S = SkillEvidence.Source

# One row per piece of current evidence of a topic wanted.
EVIDENCE_SQL = f"""
SELECT ev.consultant_id, ev.skill_id AS topic_id,
       jsonb_build_object(
           'source', ev.source,
           'event', CASE WHEN ev.source = '{S.LEARNING_EVENT.value}' THEN e.title END,
           'mentor', m.pseudonym
       ) AS detail
FROM network_skillevidence ev
LEFT JOIN engagements_engagement e ON e.id = ev.engagement_id
LEFT JOIN consultants_consultant m ON m.id = ev.mentor_id
WHERE ev.withdrawn_at IS NULL AND ev.skill_id = ANY(%(topics)s)
"""  # noqa: S608 (a constant of the model's choices, never a value)


def explain(topic: str, detail: dict[str, Any]) -> str:
    """The words for one piece of evidence of ``topic``."""
    source = detail.get("source")
    if source == S.LEARNING_EVENT and detail.get("event"):
        return gettext("Has %(skill)s (from %(event)s).") % {
            "skill": topic,
            "event": detail["event"],
        }
    if source == S.MENTOR and detail.get("mentor"):
        return gettext("Has %(skill)s (signed off by mentor %(mentor)s).") % {
            "skill": topic,
            "mentor": detail["mentor"],
        }
    if source == S.ENGAGEMENT:
        return gettext("Has %(skill)s (shown on an engagement).") % {"skill": topic}
    return gettext("Has %(skill)s (recorded by staff).") % {"skill": topic}


def register() -> None:
    register_skill_evidence(sql=EVIDENCE_SQL, explain=explain)
