"""Two-factor pages: set up a TOTP device (managers and admins), and the token step after login; the
administrator's account pages: invite, password link, deactivate, 担当替え."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import otp, selectors, services
from accounts.access import admin_required
from accounts.forms import InviteForm, ReassignForm, TokenForm
from accounts.models import User


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path only: anything else would be taken for a view name by redirect() (a 500 for '١٢').
    if target.startswith("/") and url_has_allowed_host_and_scheme(
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


# --- Account administration (admins): invite, password link, deactivate / reactivate, 担当替え


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@admin_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/users.html", {"users": selectors.user_admin_rows()})


@admin_required
@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_invite(by=request.user, base_url=_base_url(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
            return render(request, "accounts/user_invite.html", {"form": form}, status=422)
        messages.success(
            request,
            _("%(name)s was invited: a link to set a password was sent to %(email)s.")
            % {"name": user.display_name, "email": user.email},
        )
        return redirect("user_list")
    status = 422 if form.errors else 200
    return render(request, "accounts/user_invite.html", {"form": form}, status=status)


@admin_required
@require_POST
def user_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    try:
        services.user_send_password_reset(user=user, by=request.user, base_url=_base_url(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("A link to set a new password was sent to %(name)s (%(email)s).")
            % {"name": user.display_name, "email": user.email},
        )
    return redirect("user_list")


@admin_required
@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(user=user, active=active, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = _("%(name)s can log in again.") if active else _("%(name)s can no longer log in.")
        messages.success(request, done % {"name": user.display_name})
    return redirect("user_list")


@admin_required
@require_http_methods(["GET", "POST"])
def user_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """担当替え: every open prospect of one user to another, in one step."""
    from prospects.bulk import prospects_reassign_open

    from_owner = get_object_or_404(User, pk=pk)
    form = ReassignForm(request.POST or None, from_owner=from_owner)
    if request.method == "POST" and form.is_valid():
        to_owner = form.cleaned_data["to_owner"]
        moved = prospects_reassign_open(from_owner=from_owner, to_owner=to_owner, by=request.user)
        messages.success(
            request,
            ngettext(
                "%(n)s open prospect moved from %(old)s to %(new)s.",
                "%(n)s open prospects moved from %(old)s to %(new)s.",
                moved,
            )
            % {"n": moved, "old": from_owner.display_name, "new": to_owner.display_name},
        )
        return redirect("user_list")
    open_count = from_owner.prospects.filter(status="open").count()
    context = {"form": form, "from_owner": from_owner, "open_count": open_count}
    return render(request, "accounts/user_reassign.html", context, status=422 if form.errors else 200)
