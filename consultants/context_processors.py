"""``discreet``: whether this page folds sensitive details behind "Show"
(the ``{% discreet %}`` tag, core.templatetags.discreet).

Her choice (``Consultant.discretion``) with the session's "shared phone"
mark (accounts.safety). Lazy: only a page that folds something asks the
database, once.
"""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from accounts import safety
from consultants.models import Consultant


def discreet(request):
    def _decide() -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        from consultants.selectors import privacy_choices_of

        _exit_signs_out, discretion = privacy_choices_of(user=user)
        if discretion == Consultant.Discretion.ALWAYS:
            return True
        if discretion == Consultant.Discretion.NEVER:
            return False
        return safety.is_shared_phone(request)

    return {"discreet": SimpleLazyObject(_decide)}
