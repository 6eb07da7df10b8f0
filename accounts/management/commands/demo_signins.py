from django.core.management.base import BaseCommand

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, current_totp_code, demo_user, totp_secret


class Command(BaseCommand):
    help = "Print the demo sign-in for each role, with the current MFA code for staff."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args, url, **options):
        # One lookup per account: the consultant's is found by its keyed hash.
        users = {account.email: demo_user(account.email) for account in DEMO_ACCOUNTS}
        lines = [
            "",
            f"Tinig is running at {url}/  (health: {url}/healthz)",
            f"Demo sign-ins, all with password: {DEMO_PASSWORD}",
        ]
        for account in DEMO_ACCOUNTS:
            user = users.get(account.email)
            if user is None:
                continue
            line = f"  {account.title or account.role.label:<18} {account.email:<26}"
            secret = totp_secret(user)
            if secret:
                line += f" MFA secret {secret} (code now: {current_totp_code(user)})"
            lines.append(line)
        lines += [
            "Staff sign in with a code from an authenticator app using the secret above,",
            "or print fresh codes with:  ./tinig manage demo_signins",
            "Press Ctrl-C to stop web, worker and beat.",
            "",
        ]
        self.stdout.write("\n".join(lines))
