"""Sign-in addresses: finding an account by what a person types, sealing a
consultant's account, and re-keying sealed accounts.

The rule (``accounts.sealing`` explains the token): a typed address is
compared first with the lookup tokens of every key, then as typed. A
sealed account is found only through its token; a staff account only by
its plain address. A typed address in the ``lookup.invalid`` domain finds
nothing: a token is never a sign-in name.

A sealed account has exactly one address: its ``EmailAddress`` row holds
the token (primary, verified as before), so allauth's flows run on the
token from the form onwards (``accounts.signin_forms``) and only the
account adapter turns it back into an address, at the moment of sending.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts import sealing
from accounts.models import User


def sign_in_name(typed: str) -> str:
    """What allauth should look an account up by, for this typed address: the
    token of the sealed account that has it, else the address as typed
    (lower case). The token under an older key is returned as stored, so an
    account not yet re-keyed still signs in."""
    address = sealing.normalise_address(typed)
    if not address or sealing.is_lookup_token(address):
        return address
    tokens = sealing.lookup_tokens(address)
    found = set(EmailAddress.objects.filter(email__in=tokens).values_list("email", flat=True))
    found |= set(User.objects.filter(email__in=tokens).values_list("email", flat=True))
    for token in tokens:  # newest key first
        if token in found:
            return token
    return address


def account_for_address(typed: str) -> User | None:
    """The account that signs in with this address (sealed or plain), if any."""
    name = sign_in_name(typed)
    if not name or sealing.is_lookup_token(typed):
        return None
    return (
        User.objects.filter(email__iexact=name).first()
        or User.objects.filter(emailaddress__email__iexact=name).first()
    )


def deliverable_address(value: str) -> str:
    """Where mail meant for ``value`` goes: a token becomes the address sealed in
    its account; anything else is returned unchanged. A token whose account
    is gone or holds no address becomes "" (nothing is sent)."""
    if not sealing.is_lookup_token(value):
        return value
    user = (
        User.objects.filter(email=value.lower()).first()
        or User.objects.filter(emailaddress__email=value.lower()).first()
    )
    return (user.sealed_email or "") if user is not None else ""


def address_shown_to(user, value: str) -> str:
    """An address as a page may show it to ``user``: her own token as her own
    address; anyone else's token as nothing."""
    if not sealing.is_lookup_token(value):
        return value
    if user is not None and getattr(user, "email", None) == value:
        return user.sealed_email or ""
    return ""


@transaction.atomic
def account_seal(*, user: User, address: str | None = None) -> User:
    """Seal an account: its sign-in becomes the token of ``address`` (default:
    its current plain address), the address is kept encrypted, and every
    other ``EmailAddress`` row of the account goes (a sealed account has
    one address). Verification is kept. Idempotent for a sealed account
    given no new address."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if address is None:
        if user.is_sealed:
            return user
        address = user.email
    address = sealing.normalise_address(address)
    verified = EmailAddress.objects.filter(user=user, verified=True).exists()
    token = sealing.lookup_token(address)
    user.email = token
    user.sealed_email = address
    user.full_clean()
    user.save(update_fields=["email", "sealed_email"])
    EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.create(user=user, email=token, primary=True, verified=verified)
    return user


def account_reseal(*, user: User) -> bool:
    """Recompute a sealed account's token with the newest key (its address is
    decrypted to do so). True when it changed. The caller holds the row lock."""
    if not user.is_sealed or not user.sealed_email:
        return False
    token = sealing.lookup_token(user.sealed_email)
    if token == user.email:
        return False
    old = user.email
    user.email = token
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user, email=old).update(email=token)
    return True


def account_forget_address(*, user: User) -> None:
    """Remove every trace of an account's address (erasure): its sign-in name
    becomes a random ``…@erased.invalid`` that no address maps to, the sealed
    address goes, and its ``EmailAddress`` rows (and with them allauth's
    confirmations) go."""
    import uuid

    EmailAddress.objects.filter(user=user).delete()
    user.email = f"erased-{uuid.uuid4().hex}@erased.invalid"
    user.sealed_email = None
    user.save(update_fields=["email", "sealed_email"])
