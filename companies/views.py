"""Company and contact pages: the directory is shared, the deals on them are the viewer's own view."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import manager_required
from companies.forms import MergeForm
from companies.models import Company, Contact
from companies.normalize import normalize_name
from companies.search import search
from companies.selectors import (
    access_company,
    access_contact,
    deals_timeline_page,
    similar_companies,
    similar_contacts,
    visible_deals,
)
from companies.services import MergeRefused, company_merge, contact_merge
from salescrm.lib.htmx import wants_fragment

PAGE_SIZE = 25
NO_SUCH_RECORD = gettext_lazy("There is no record with this id. Copy the id from the address of its page.")


def _may_merge(request: HttpRequest) -> bool:
    return request.user.is_admin_role or request.user.is_manager


def _page(request: HttpRequest, rows):
    query = request.GET.get("q", "").strip()
    if norm := normalize_name(query):
        rows = rows.filter(name_norm__contains=norm)
    return query, Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@require_GET
def company_list(request: HttpRequest) -> HttpResponse:
    query, page = _page(request, Company.objects.visible_to(request.user).current())
    return render(request, "companies/company_list.html", {"page": page, "q": query})


@login_required
@require_GET
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = access_company(request.user, pk)
    if company.merged_into_id:
        return redirect("companies:detail", pk=company.merged_into_id)
    timeline = deals_timeline_page(request.user, "company", company.pk, request.GET.get("page", 1))
    if wants_fragment(request):  # the timeline's "older" button
        return render(request, "companies/_timeline.html#items", {"timeline": timeline})
    context = {
        "company": company,
        "contacts": company.contacts.current(),
        "deals": visible_deals(request.user, company.prospects.all()),
        "timeline": timeline,
        "duplicates": similar_companies(company.name, exclude=company.pk),
        "may_merge": _may_merge(request),
    }
    return render(request, "companies/company_detail.html", context)


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    rows = Contact.objects.visible_to(request.user).current().select_related("company")
    query, page = _page(request, rows)
    return render(request, "companies/contact_list.html", {"page": page, "q": query})


@login_required
@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = access_contact(request.user, pk)
    if contact.merged_into_id:
        return redirect("companies:contact_detail", pk=contact.merged_into_id)
    timeline = deals_timeline_page(request.user, "contact", contact.pk, request.GET.get("page", 1))
    if wants_fragment(request):  # the timeline's "older" button
        return render(request, "companies/_timeline.html#items", {"timeline": timeline})
    context = {
        "contact": contact,
        "deals": visible_deals(request.user, contact.prospects.all()),
        "timeline": timeline,
        "duplicates": similar_contacts(contact),
        "may_merge": _may_merge(request),
    }
    return render(request, "companies/contact_detail.html", context)


def _merge(request: HttpRequest, *, record, access, merge, template: str, detail: str) -> HttpResponse:
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            keep = access(request.user, form.cleaned_data["into"])
            merge(keep=keep, merge=record, by=request.user)
        except Http404:  # a mistyped id: said on the form, not a 404 page
            form.add_error("into", NO_SUCH_RECORD)
        except (MergeRefused, PermissionDenied) as refused:
            form.add_error(None, str(refused.args[0]))
        else:
            messages.success(request, _("Merged into %(name)s.") % {"name": keep})
            return redirect(detail, pk=keep.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"record": record, "form": form}, status=status)


@manager_required
@require_http_methods(["GET", "POST"])
def company_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    company = access_company(request.user, pk)
    return _merge(
        request,
        record=company,
        access=access_company,
        merge=company_merge,
        template="companies/merge.html",
        detail="companies:detail",
    )


@manager_required
@require_http_methods(["GET", "POST"])
def contact_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = access_contact(request.user, pk)
    return _merge(
        request,
        record=contact,
        access=access_contact,
        merge=contact_merge,
        template="companies/merge.html",
        detail="companies:contact_detail",
    )


@login_required
@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    """The top bar's search: a plain GET page, or its results fragment for htmx as the user types."""
    query = request.GET.get("q", "")[:200]
    template = "companies/search.html#search-results" if wants_fragment(request) else "companies/search.html"
    return render(request, template, {"q": query, "results": search(request.user, query)})
