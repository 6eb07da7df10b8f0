import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.roles import Role, requires_mfa
from accounts.services import user_set_roles

TEST_PASSWORD = "a-long-test-password-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"primary": True, "verified": True}
            )
            obj.save()

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        """``UserFactory(role=Role.X, mfa=False)``: staff get a TOTP authenticator
        unless ``mfa=False``."""
        if create and extracted:
            user_set_roles(user=obj, roles={Role(extracted)})

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        if create and extracted is not False and requires_mfa(obj):
            give_totp(obj)


TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def give_totp(user, secret: str = TEST_TOTP_SECRET):
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret)


def totp_code(secret: str = TEST_TOTP_SECRET, offset: int = 0) -> str:
    """The code of the current 30-second window, waiting for the next window
    when this one has less than 5 seconds left: allauth accepts the current
    window only, and a test slowed down by a busy machine would otherwise
    post a code that expired on the way."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))
