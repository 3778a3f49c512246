"""The public side of a web inquiry form: its page, its fill-time token and the endpoint its POST goes
to (from this site or an allowed one). No login, no session, no cookie; see inbound.guard."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from inbound import guard
from inbound.forms import LABELS, PublicInquiryForm
from inbound.models import InquiryForm
from inbound.services import inquiry_process, inquiry_save
from salescrm.lib.jobs import enqueue

logger = logging.getLogger("salescrm.inbound")
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
LANGS = {code for code, _name in settings.LANGUAGES}


def _active_form(key: str) -> InquiryForm:
    if not KEY_PATTERN.fullmatch(key):  # a key is token_urlsafe(16): anything else names no form
        raise Http404
    form = InquiryForm.objects.filter(key=key, is_active=True).first()
    if form is None:
        raise Http404
    return form


def _lang(request: HttpRequest, posted: str | None = None) -> str:
    """The embedding site's language: the snippet's `lang` (posted or in the URL), else the browser's
    Accept-Language, else the product's default."""
    for value in (posted, request.GET.get("lang")):
        if value and value[:2].lower() in LANGS:
            return value[:2].lower()
    return translation.get_language_from_request(request)


def _cors(response: HttpResponse, form: InquiryForm, request: HttpRequest) -> HttpResponse:
    """CORS headers for the sites the admin allowed, and for no other (no credentials ever)."""
    patch_vary_headers(response, ["Origin"])
    origin = guard.cors_origin(form, request.headers.get("Origin"))
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST"
        response["Access-Control-Allow-Headers"] = "Accept"
        response["Access-Control-Max-Age"] = "600"
    patch_cache_control(response, no_store=True)
    return response


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refuse(request: HttpRequest, form: InquiryForm, status: int, reason: str, errors=None) -> HttpResponse:
    """Bad input: a page (or JSON for the embed script) that says why, never a 500."""
    if _wants_json(request):
        body = {"ok": False, "reason": str(reason)}
        if errors:
            body["errors"] = {name: [str(m) for m in messages] for name, messages in errors.items()}
        response: HttpResponse = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        labelled = {str(LABELS.get(name, name)): messages for name, messages in (errors or {}).items()}
        context = {"form": form, "reason": reason, "errors": labelled, "back": _public_url(form)}
        response = render(request, "inbound/public_error.html", context, status=status)
    return _cors(response, form, request)


def _thanks(request: HttpRequest, form: InquiryForm) -> HttpResponse:
    """The answer to a person, and the very same to a bot (honeypot, too fast): nothing to learn."""
    if _wants_json(request):
        response: HttpResponse = JsonResponse(
            {"ok": True, "message": form.thank_you_text}, json_dumps_params={"ensure_ascii": False}
        )
    else:
        response = render(request, "inbound/public_thanks.html", {"form": form})
    return _cors(response, form, request)


def _public_url(form: InquiryForm) -> str:
    return reverse("inbound:public_form", args=[form.key])


@require_GET
def public_form(request: HttpRequest, key: str) -> HttpResponse:
    """The form's own page (its public URL): for a link, or for a site that cannot paste HTML."""
    form = _active_form(key)
    lang = _lang(request)
    with translation.override(lang):
        context = {
            "form": form,
            "public": PublicInquiryForm(form, initial={"ts": guard.fill_token(form)}),
            "lang": lang,
        }
        response = render(request, "inbound/public_form.html", context)
    patch_cache_control(response, no_store=True)
    return response


@require_GET
def public_token(request: HttpRequest, key: str) -> HttpResponse:
    """A fresh fill-time token for the embed script (readable by the allowed sites only)."""
    form = _active_form(key)
    return _cors(JsonResponse({"token": guard.fill_token(form)}), form, request)


@csrf_exempt  # a cross-origin form cannot carry our token; inbound.guard protects this endpoint instead
@require_http_methods(["POST", "OPTIONS"])
def public_submit(request: HttpRequest, key: str) -> HttpResponse:
    form = _active_form(key)
    origin = request.headers.get("Origin")
    if request.method == "OPTIONS":  # a preflight: answered for the allowed sites only
        return _cors(HttpResponse(status=204), form, request)
    with translation.override(_lang(request)):
        if not guard.origin_allowed(form, origin, request):
            return _refuse(request, form, 403, _("This form cannot be sent from this site."))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = settings.INBOUND_MAX_BODY_BYTES + 1
        if length > settings.INBOUND_MAX_BODY_BYTES:
            return _refuse(request, form, 400, _("The inquiry is too long."))
        address = guard.address_hash(guard.client_address(request))
        if guard.rate_limited(address):
            return _refuse(
                request, form, 429, _("Too many inquiries from your network. Please try again later.")
            )
        lang = _lang(request, request.POST.get("lang"))
    with translation.override(lang):
        if request.POST.get(guard.HONEYPOT):
            return _thanks(request, form)
        check = guard.token_check(form, request.POST.get("ts", ""))
        if check is guard.TokenCheck.TOO_FAST:
            return _thanks(request, form)
        if check is guard.TokenCheck.INVALID:
            return _refuse(
                request, form, 400, _("This form has expired. Please reload the page and send it again.")
            )
        public = PublicInquiryForm(form, request.POST)
        if not public.is_valid():
            return _refuse(request, form, 400, _("Please check the highlighted fields."), public.errors)
        inquiry = inquiry_save(
            form=form, data=public.submitted(), lang=lang, origin=origin or "", address_hash=address
        )
        try:
            inquiry_process(inquiry.pk, saved=inquiry)
        except Exception:  # saved: Celery retries it (and the sweep catches what the broker lost)
            logger.warning(
                "inquiry %s not processed in the request; queued for a retry", inquiry.pk, exc_info=True
            )
            from inbound.tasks import process_inquiry

            enqueue(process_inquiry, inquiry_id=inquiry.pk)
        return _thanks(request, form)
