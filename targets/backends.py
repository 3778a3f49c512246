"""The authentication backend: Django's ModelBackend, whose get_user also reads the user's open alert
count (targets.models.OpenAlertCount) in the same query, so that the bell on every page costs none."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from accounts.models import User
from targets.models import OpenAlertCount


class UserBackend(ModelBackend):
    def get_user(self, user_id) -> User | None:
        """The user of a session, with `kept_open_alerts` (None when no count is kept for them)."""
        rows = User._default_manager.raw(
            f"SELECT u.*, c.n AS kept_open_alerts FROM {User._meta.db_table} u "
            f"LEFT JOIN {OpenAlertCount._meta.db_table} c ON c.user_id = u.id WHERE u.id = %s",
            [user_id],
        )
        user = next(iter(rows), None)
        return user if user is not None and self.user_can_authenticate(user) else None
