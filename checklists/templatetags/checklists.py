from django import template

from checklists import access

register = template.Library()


@register.simple_tag
def can_tick(user, item) -> bool:
    """{% can_tick request.user item as allowed %}"""
    return access.can_tick(user, item)
