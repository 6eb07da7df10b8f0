"""The session engine (``SESSION_ENGINE = "accounts.sessions"``): Django's
database sessions, kept in ``accounts.Session`` with the signed-in
person's id in a column of its own, so one person's sessions can be found
and ended without decoding everyone's."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from accounts.models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            session.user_id = None  # nobody signed in (yet)
        return session
