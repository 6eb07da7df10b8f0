"""allauth's MFA secrets under Tinig's encryption.

TOTP secrets and recovery seeds are encrypted at rest like every other
secret, with the same rotating key list (allauth's default keeps them in
plain text). It lives in ``core`` beside the encryption it uses, so that
``accounts`` (the lowest layer) imports nothing of ours.
"""

from allauth.mfa.adapter import DefaultMFAAdapter

from core import encryption


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encryption.encrypt_str(text)

    def decrypt(self, encrypted_text: str) -> str:
        return encryption.decrypt_str(encrypted_text)

    def _get_user_identifier(self, user) -> str:
        # The name in an authenticator app (and in passkeys): a sealed
        # account's stored e-mail is its lookup token, which means nothing
        # to her; its display name (her pseudonym) does, and reveals less
        # than her address on a phone someone else may pick up.
        if getattr(user, "is_sealed", False):
            return str(user)
        return super()._get_user_identifier(user)
