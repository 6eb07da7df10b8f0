from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import BaseUserManager as DjangoBaseUserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.mixins import GuardianUserMixin

from accounts import sealing
from accounts.fields import SealedTextField


class UserManager(DjangoBaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(GuardianUserMixin, AbstractBaseUser, PermissionsMixin):
    """A person who signs in: staff member, administrator or consultant.

    The e-mail address is the sign-in name. A consultant's pseudonym and
    identity live on their consultant profile, never here; ``display_name``
    is what the interface calls a staff member (a consultant's is their
    pseudonym).

    A consultant's account is *sealed* (``accounts.sealing``): ``email``
    holds a keyed hash of her address (``…@lookup.invalid``), which is what
    sign-in compares, and ``sealed_email`` the address itself, encrypted,
    which is where mail goes (``delivery_email``). Staff accounts keep their
    plain work address in ``email`` and nothing in ``sealed_email``.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    sealed_email = SealedTextField(
        _("e-mail address (encrypted)"),
        null=True,
        blank=True,
        help_text=_("Sealed accounts only: where mail goes. Sign-in uses a keyed hash."),
    )
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("How the interface names this person. Consultants: their pseudonym."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Set by the administrator role; lets the person open the admin site."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The person's language, not the page's: it drives every page once they
    # are signed in, and every e-mail, text message, calendar file and PDF
    # made for them (accounts.language).
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language Tinig uses for this person's pages, messages and documents."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        indexes = [
            # The people page's order (accounts.selectors.staff_rows).
            models.Index(Lower("display_name"), "id", name="accounts_user_people_order_idx"),
        ]

    def __str__(self):
        # Never the e-mail address: __str__ ends up in audit rows and logs.
        return self.display_name or _("User %(pk)s") % {"pk": self.pk}

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.sealed_email:
            self.sealed_email = sealing.normalise_address(self.sealed_email)

    @property
    def is_sealed(self) -> bool:
        """True when ``email`` is a lookup token, not an address."""
        return sealing.is_lookup_token(self.email)

    @property
    def delivery_email(self) -> str:
        """Where mail for this person goes: the sealed address, or the plain one."""
        if self.is_sealed:
            return self.sealed_email or ""
        return self.email


class StaffInvitation(models.Model):
    """A one-time link that lets a staff member set their password and set
    up their authenticator, both in one visit (accounts.services).

    The link carries a random token; only its SHA-256 is kept, so the table
    holds nothing that opens an account. A link works once, until
    ``expires_at``, and only while it is the person's newest: a new one
    (a re-sent invitation, a reset of the second factor) revokes the old.
    """

    class Kind(models.TextChoices):
        INVITE = "invite", _("Invitation")
        MFA_RESET = "mfa_reset", _("Second factor reset")

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="staff_invitations"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when issued from the command line."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ["-created_at"]
        constraints = [
            # At most one link per person can still be used.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(used_at__isnull=True, revoked_at__isnull=True),
                name="accounts_one_open_invitation_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="accounts_invitation_used_or_revoked_not_both",
            ),
        ]

    def __str__(self):
        return _("Invitation %(pk)s") % {"pk": self.pk}

    def is_open(self, now) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


class Session(AbstractBaseSession):
    """Django's database session with the signed-in person beside it.

    ``SESSION_ENGINE = "accounts.sessions"`` stores every session here
    instead of ``django_session``. The row is the same (key, signed data,
    expiry) plus ``user``, copied from the session's ``_auth_user_id``
    each time it is saved, so that ending someone's sessions at once
    (deactivation, erasure) is one indexed delete rather than decoding
    every session there is (``accounts.services.user_sessions_end``).
    """

    # Ending a person's sessions: WHERE user_id = %s.
    # No database constraint: a session must save even if its person was
    # deleted meanwhile (Django then finds nobody signed in, as before).
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        db_index=True,
    )

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore
