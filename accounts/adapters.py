from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter

from core import encryption


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # People are invited by staff; nobody signs themselves up.
        return False


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery seeds are encrypted at rest like every
    other secret, with the same rotating key list (allauth's default keeps
    them in plain text)."""

    def encrypt(self, text: str) -> str:
        return encryption.encrypt_str(text)

    def decrypt(self, encrypted_text: str) -> str:
        return encryption.decrypt_str(encrypted_text)
