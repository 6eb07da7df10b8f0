"""Demo sign-ins, one per role. Invented people; never real data.

Loaded by `manage.py seed_demo` (idempotent). Staff accounts come with a
TOTP authenticator already set up, because staff cannot work without MFA;
`manage.py demo_signins` prints the current code for each.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.roles import Role

DEMO_PASSWORD = "tinig-demo-password"  # noqa: S105 (demo only; local and test settings)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role: Role
    # What ``demo_signins`` calls it, when not the role's name.
    title: str = ""


DEMO_ACCOUNTS = [
    DemoAccount("admin@example.org", "Admin Demo", Role.ADMINISTRATOR),
    DemoAccount("manager@example.org", "Mara Manager", Role.PROGRAMME_MANAGER),
    DemoAccount("staff@example.org", "Sol Staff", Role.PROGRAMME_STAFF),
    DemoAccount("finance@example.org", "Fe Finance", Role.FINANCE_OFFICER),
    DemoAccount("wellbeing@example.org", "Wen Wellbeing", Role.WELLBEING_LEAD),
    DemoAccount("consultant@example.org", "Amihan", Role.CONSULTANT),
    # Liwanag, a consultant the demo network names a survivor leader
    # (network.demo gives her the leader role and, as the network asks, a
    # second factor).
    DemoAccount("leader@example.org", "Liwanag", Role.CONSULTANT, title="Survivor leader"),
]

# Roles another app's demo gives and takes (the survivor leader role follows
# the network's Leadership rows): a re-run keeps them.
KEPT_ROLES = frozenset({Role.SURVIVOR_LEADER})


def seed() -> list[str]:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.addresses import account_for_address, account_seal
    from accounts.roles import requires_mfa, roles_of
    from accounts.services import user_create, user_set_roles

    created = []
    for account in DEMO_ACCOUNTS:
        # The consultant's account is sealed like every consultant's
        # (accounts.sealing): found by a keyed hash, its address encrypted.
        sealed = account.role == Role.CONSULTANT
        user = account_for_address(account.email)
        if user is None:
            user = user_create(
                email=account.email,
                display_name=account.display_name,
                password=DEMO_PASSWORD,
                roles={account.role},
                verified=True,
                sealed=sealed,
            )
            created.append(account.email)
        else:
            user_set_roles(user=user, roles={account.role} | (roles_of(user) & KEPT_ROLES))
            if sealed and not user.is_sealed:
                account_seal(user=user)  # a demo loaded before accounts were sealed
        if (
            requires_mfa(user)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, generate_totp_secret())
    return created


def current_totp_code(user) -> str | None:
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return None
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def totp_secret(user) -> str | None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return decrypt(authenticator.data["secret"]) if authenticator else None


def demo_user(email: str):
    """The demo account that signs in with ``email`` (sealed or not), or None."""
    from accounts.addresses import account_for_address

    return account_for_address(email)
