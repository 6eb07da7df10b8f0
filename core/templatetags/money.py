"""``{{ amount|peso }}``: a Decimal as Philippine pesos with centavos (₱1,234.50),
the one way money is written on every page, e-mail and PDF."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def peso(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}₱{abs(amount):,.2f}"
