"""``{{ address|shown_address:user }}``: a sealed account's lookup token as
its owner's own address, and as nothing to anyone else (accounts.sealing).
Every other address is shown as it is."""

from django import template

from accounts.addresses import address_shown_to

register = template.Library()


@register.filter
def shown_address(value, user=None) -> str:
    return address_shown_to(user, value or "")
