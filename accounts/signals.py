from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts import otp
from accounts.middleware import stamp_login_time


@receiver(user_logged_in, dispatch_uid="accounts.session_on_login")
def session_on_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    stamp_login_time(request)
    otp.remember_device_state(request, user)
