"""``{% discreet summary %}…{% enddiscreet %}``: what a stranger glancing at
the screen could learn most from, folded behind a neutral summary.

When the context's ``discreet`` is true (consultants.context_processors:
her choice, or a shared-phone session) the content is wrapped in a closed
``<details>`` whose summary is the neutral text and "Show"; otherwise it is
rendered as it is. ``<details>`` opens without JavaScript.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


class DiscreetNode(template.Node):
    def __init__(self, summary: template.base.FilterExpression, nodelist: template.NodeList):
        self.summary = summary
        self.nodelist = nodelist

    def render(self, context) -> str:
        content = self.nodelist.render(context)
        if not context.get("discreet"):
            return content
        return format_html(
            '<details class="discreet"><summary><span class="discreet-summary">{}</span>'
            '<span class="discreet-show">{}</span></summary><div class="discreet-body">{}</div>'
            "</details>",
            self.summary.resolve(context),
            _("Show"),
            content,
        )


@register.tag
def discreet(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% discreet %} takes one argument: the summary")
    nodelist = parser.parse(("enddiscreet",))
    parser.delete_first_token()
    return DiscreetNode(parser.compile_filter(bits[1]), nodelist)
