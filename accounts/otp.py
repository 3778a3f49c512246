"""Optional TOTP two-factor authentication for managers and admins (django-otp).

The session remembers whether the user has a confirmed device (set at login, updated by the setup
page), so that the per-request gate costs no query.
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.html import escape
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

HAS_DEVICE_KEY = "otp_has_device"
DEVICE_NAME = "TOTP"


def may_use_two_factor(user: User) -> bool:
    return user.is_authenticated and (user.is_admin_role or user.is_manager)


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def remember_device_state(request: HttpRequest, user: User) -> None:
    request.session[HAS_DEVICE_KEY] = has_confirmed_device(user)


def pending_step(request: HttpRequest) -> str | None:
    """The URL name the user must pass first ("two_factor_verify" or "two_factor_setup"), or None."""
    user = request.user
    session = request.session
    if HAS_DEVICE_KEY not in session:
        remember_device_state(request, user)
    if session[HAS_DEVICE_KEY]:
        return None if user.is_verified() else "two_factor_verify"
    if settings.REQUIRE_ADMIN_2FA and user.is_admin_role:
        return "two_factor_setup"
    return None


def totp_device_for_setup(*, user: User) -> TOTPDevice:
    """The unconfirmed device being set up (created on first visit; its secret stays until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """Confirm `device` with a token from the user's app; on success it replaces any older device and
    the session counts as verified."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    otp_login(request, device)
    request.session[HAS_DEVICE_KEY] = True
    return True


def totp_verify(*, request: HttpRequest, token: str) -> bool:
    """The login step: check the token against the user's confirmed devices (throttled by django-otp)."""
    for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
        verified = verify_token(request.user, device.persistent_id, token)
        if verified is not None:
            otp_login(request, verified)
            return True
    return False


def totp_disable(*, request: HttpRequest) -> None:
    TOTPDevice.objects.filter(user=request.user).delete()
    request.session[HAS_DEVICE_KEY] = False
    request.session.pop("otp_device_id", None)


def qr_svg(data: str, label: str = "QR code") -> str:
    """The QR code of `data` as an inline SVG element (paths only: no style attribute, CSP-safe)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Let CSS size it: drop the fixed millimetre width/height, keep the viewBox.
    head, rest = svg.split(">", 1)
    head = " ".join(part for part in head.split(" ") if not part.startswith(("width=", "height=")))
    return f'{head} class="qr" role="img" aria-label="{escape(label)}">{rest}'
