"""The admins' pages for web inquiry forms (like the pipeline targets and the test-closing questions:
the product's own admin pages, admin role only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import admin_required
from inbound.forms import InquiryFormSettingsForm, PublicInquiryForm
from inbound.guard import HONEYPOT
from inbound.models import InquiryForm
from salescrm.lib.params import parse_id

RECENT_INQUIRIES = 20


@admin_required
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    forms = InquiryForm.objects.select_related("team").order_by("name", "pk")
    return render(request, "inbound/forms.html", {"forms": forms})


@admin_required
@require_http_methods(["GET", "POST"])
def form_edit(request: HttpRequest, pk: str | None = None) -> HttpResponse:
    instance = get_object_or_404(InquiryForm, pk=parse_id(pk)) if pk is not None else None
    form = InquiryFormSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("The form was saved."))
        return redirect("inbound:form_detail", pk=saved.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "inbound/form_edit.html", {"form": form, "instance": instance}, status=status)


def snippet(request: HttpRequest, form: InquiryForm, lang: str) -> str:
    """The HTML to paste into the company's site, in `lang` (its labels and its answers)."""
    base = request.build_absolute_uri("/").rstrip("/")
    with translation.override(lang):
        context = {
            "form": form,
            "public": PublicInquiryForm(form),
            "lang": lang,
            "honeypot": HONEYPOT,
            "action": base + reverse("inbound:public_submit", args=[form.key]) + f"?lang={lang}",
            "token_url": base + reverse("inbound:public_token", args=[form.key]),
            "script_url": base + reverse("inbound:embed_js"),
        }
        return render_to_string("inbound/snippet.html", context).strip()


@admin_required
@require_GET
def form_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The form's public URL, its snippet in each language, and what it received lately."""
    form = get_object_or_404(InquiryForm.objects.select_related("team"), pk=parse_id(pk))
    inquiries = form.inquiries.select_related("prospect__owner")[:RECENT_INQUIRIES]
    context = {
        "form": form,
        "public_url": request.build_absolute_uri(reverse("inbound:public_form", args=[form.key])),
        "snippets": [(code, snippet(request, form, code)) for code in ("ja", "en")],
        "inquiries": inquiries,
    }
    return render(request, "inbound/form_detail.html", context)
