"""Two-factor pages: set up a TOTP device (managers and admins), and the token step after login."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import otp
from accounts.forms import TokenForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "home"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not otp.may_use_two_factor(user):
        raise PermissionDenied
    if otp.pending_step(request) == "two_factor_verify":
        # Replacing a device needs the current one first.
        return redirect("two_factor_verify")
    device = otp.totp_device_for_setup(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.totp_confirm(request=request, device=device, token=form.cleaned_data["token"]):
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_next_url(request))
        form.add_error("token", _("That code is not right. Check the time on your phone and try again."))
    status = 422 if form.errors else 200
    context = {
        "form": form,
        "otpauth_uri": device.config_url,
        "qr_svg": otp.qr_svg(device.config_url, _("QR code for your authenticator app")),
        "has_device": request.session.get(otp.HAS_DEVICE_KEY, False),
        "next": request.GET.get("next", ""),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    # Re-read the device state: a device removed by an admin since login leaves nothing to verify.
    otp.remember_device_state(request, request.user)
    if otp.pending_step(request) != "two_factor_verify":
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.totp_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        form.add_error("token", _("That code is not right, or too many tries: wait a moment and try again."))
    status = 422 if form.errors else 200
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": request.GET.get("next", request.POST.get("next", ""))},
        status=status,
    )


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    if not otp.may_use_two_factor(request.user):
        raise PermissionDenied
    if settings.REQUIRE_ADMIN_2FA and request.user.is_admin_role:
        raise PermissionDenied
    otp.totp_disable(request=request)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("password_change")
