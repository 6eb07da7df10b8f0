from allauth.account.adapter import DefaultAccountAdapter

from accounts.addresses import deliverable_address


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # People are invited by staff; nobody signs themselves up.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth addresses every mail (codes, resets, confirmations,
        # notifications) to the account's stored address; for a sealed
        # account that is its lookup token, turned into the real address
        # here, at the last moment (accounts.sealing). A token with no
        # address behind it sends nothing.
        address = deliverable_address(email)
        if not address:
            return
        super().send_mail(template_prefix, address, context)
