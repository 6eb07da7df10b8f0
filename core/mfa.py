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
