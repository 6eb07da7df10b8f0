"""Send a staff member their one-time link from the command line.

The first administrator of a new installation has nobody to invite them;
an account made with ``createsuperuser`` has no authenticator and cannot
set one up by signing in. This prints (and e-mails) the link:

    ./tinig manage invite_staff ana@example.org --role administrator
    ./tinig manage invite_staff ana@example.org   # an existing account: a new link
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from accounts.models import User
from accounts.roles import STAFF_ROLES, Role


class Command(BaseCommand):
    help = "Invite a staff member (or send an existing one a new link) and print the link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            choices=sorted(role.value for role in STAFF_ROLES),
            help="A staff role for a new account (repeat for several).",
        )
        parser.add_argument("--name", default="", help="Name shown in Tinig (new accounts).")

    def handle(self, *args, email: str, role: list[str], name: str, **options) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        try:
            if user is None:
                issued = services.staff_invite(
                    email=email, roles={Role(value) for value in role}, by=None, display_name=name
                )
            else:
                if role:
                    raise CommandError("The account exists: change its roles in Tinig instead.")
                issued = services.staff_invitation_resend(user=user, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        until = f"{issued.invitation.expires_at:%Y-%m-%d %H:%M %Z}"
        self.stdout.write(f"Invitation sent. The link works once, until {until}:")
        self.stdout.write(issued.url)
