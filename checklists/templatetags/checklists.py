from django import template

from checklists import access

register = template.Library()


@register.simple_tag
def can_tick(user, item) -> bool:
    """{% can_tick request.user item as allowed %}"""
    return access.can_tick(user, item)


@register.simple_tag
def can_reassign(user, item) -> bool:
    """{% can_reassign request.user item as allowed %}: an open staff item the
    user may hand to someone else."""
    return access.can_reassign(user, item) and not access.reassign_refusal(item)
