"""Closing views: test-closing dialogs, outcome dialogs, reopening, the question library, the
"waiting too long" list and the statistics page. Dialogs are one URL serving the page (no JS) and the
`#dialog` fragment (htmx, loaded into #dialog-slot)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from accounts.access import admin_required, can_manage
from closing import selectors, services
from closing.forms import (
    AnnotationForm,
    LostForm,
    PeriodForm,
    ProposalForm,
    QuestionForm,
    ReopenForm,
    StaleForm,
    TestClosingEditForm,
    TestClosingForm,
    WonForm,
)
from closing.models import TestClosingQuestion
from prospects.models import Prospect, Status
from prospects.selectors import access_prospect
from prospects.services import CONFLICT_MESSAGE, ProspectConflict
from salescrm.lib.export import export_response
from salescrm.lib.params import parse_page

# --- helpers


def _dialog(
    request: HttpRequest,
    *,
    title: str,
    form: Any = None,
    prospect: Prospect | None = None,
    submit_label: str = "",
    status: int = 200,
    alert: str = "",
    **extra: Any,
) -> HttpResponse:
    template = "closing/dialog.html#dialog" if request.htmx else "closing/dialog.html"
    context = {
        "title": title,
        "form": form,
        "prospect": prospect,
        "submit_label": submit_label or _("Save"),
        "alert": alert,
        "action": extra.pop("action", request.path),
        **extra,
    }
    return render(request, template, context, status=status)


# The board redraws itself in place (static/js/pipeline.js listens for this event): reloading it would
# lose the user's scroll position and filters' state for a change that only moves one card.
BOARD_CHANGED_EVENT = "salescrm:board-changed"


def _on_board(request: HttpRequest) -> bool:
    path = request.htmx.current_url_abs_path or ""
    return path.split("?", 1)[0] == reverse("pipeline:board")


def _done(request: HttpRequest, prospect: Prospect, message: str) -> HttpResponse:
    if request.htmx and _on_board(request):
        # An empty #dialog-slot closes the dialog; the event makes the board reload its cards and totals.
        return trigger_client_event(HttpResponse(""), BOARD_CHANGED_EVENT, {"message": message})
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect("prospects:detail", pk=prospect.pk)


def _add_service_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field_name, errors in exc.message_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _closed_dialog(request: HttpRequest, prospect: Prospect, title: str) -> HttpResponse:
    return _dialog(
        request, title=title, prospect=prospect, status=409, alert=str(services.ALREADY_CLOSED_MESSAGE)
    )


# --- Test closings


@login_required
@require_http_methods(["GET", "POST"])
def test_closing_log(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = access_prospect(request.user, pk)
    title = _("Log a test closing")
    if not prospect.is_open:
        return _dialog(
            request,
            title=title,
            prospect=prospect,
            status=409,
            alert=str(services.CLOSED_NO_TEST_CLOSING_MESSAGE),
        )
    form = TestClosingForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                tc = services.test_closing_log(prospect=prospect, by=request.user, **data)
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                proposal = services.proposal_for(tc, prospect)
                if proposal is None:
                    return _done(request, prospect, _("The test closing was logged."))
                return _proposal_dialog(request, tc, prospect, proposal)
        return _dialog(request, title=title, form=form, prospect=prospect, status=422)
    return _dialog(request, title=title, form=form, prospect=prospect, submit_label=_("Log"))


test_closing_log.__test__ = False  # type: ignore[attr-defined]


def _proposal_dialog(request, tc, prospect, proposal, *, form=None, status=200, alert="") -> HttpResponse:
    if form is None:
        form = ProposalForm(
            initial={
                "horizon": proposal.horizon,
                "expected_month": proposal.expected_month,
                "probability": proposal.probability,
                "version": prospect.version,
            }
        )
    return _dialog(
        request,
        title=_("Update the prospect from this answer?"),
        form=form,
        prospect=prospect,
        proposal=proposal,
        test_closing=tc,
        submit_label=_("Apply"),
        cancel_label=_("Not now"),
        action=reverse("closing:proposal", args=[tc.pk]),
        status=status,
        alert=alert,
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    tc = selectors.access_test_closing(request.user, pk)
    prospect = tc.prospect
    title = _("Update the prospect from this answer?")
    if not prospect.is_open:
        return _closed_dialog(request, prospect, title)
    suggested = services.proposal_for(tc, prospect)
    if request.method == "GET":
        if suggested is None:
            return _dialog(
                request, title=title, prospect=prospect, alert=_("This answer proposes no change.")
            )
        return _proposal_dialog(request, tc, prospect, suggested)
    form = ProposalForm(request.POST)
    if not form.is_valid():
        return _proposal_dialog(request, tc, prospect, suggested, form=form, status=422)
    data = form.cleaned_data
    try:
        services.proposal_apply(
            prospect=prospect,
            by=request.user,
            expected_version=data["version"],
            horizon=data["horizon"],
            expected_month=data["expected_month"],
            probability=data["probability"],
        )
    except ProspectConflict as exc:
        posted = request.POST.copy()
        posted["version"] = exc.current.version  # applying again now is a conscious overwrite
        form = ProposalForm(posted)
        form.is_valid()
        return _proposal_dialog(
            request, tc, exc.current, suggested, form=form, status=409, alert=str(CONFLICT_MESSAGE)
        )
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return _proposal_dialog(request, tc, prospect, suggested, form=form, status=422)
    return _done(request, prospect, _("The prospect was updated."))


@login_required
@require_http_methods(["GET", "POST"])
def test_closing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tc = selectors.access_test_closing(request.user, pk)
    if not services.test_closing_is_editable(tc, request.user):
        raise PermissionDenied(services.EDIT_NOT_ALLOWED_MESSAGE)
    form = TestClosingEditForm(request.POST or None, initial=TestClosingEditForm.initial_from(tc))
    title = _("Edit the test closing")
    if request.method == "POST":
        if form.is_valid():
            services.test_closing_edit(test_closing=tc, by=request.user, **form.cleaned_data)
            return _done(request, tc.prospect, _("The test closing was saved."))
        return _dialog(request, title=title, form=form, prospect=tc.prospect, test_closing=tc, status=422)
    return _dialog(request, title=title, form=form, prospect=tc.prospect, test_closing=tc)


test_closing_edit.__test__ = False  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def test_closing_annotate(request: HttpRequest, pk: int) -> HttpResponse:
    tc = selectors.access_test_closing(request.user, pk)
    form = AnnotationForm(request.POST or None)
    title = _("Annotate the test closing")
    if request.method == "POST":
        if form.is_valid():
            services.test_closing_annotate(test_closing=tc, by=request.user, text=form.cleaned_data["text"])
            return _done(request, tc.prospect, _("The annotation was added."))
        return _dialog(request, title=title, form=form, prospect=tc.prospect, test_closing=tc, status=422)
    return _dialog(
        request, title=title, form=form, prospect=tc.prospect, test_closing=tc, submit_label=_("Annotate")
    )


test_closing_annotate.__test__ = False  # type: ignore[attr-defined]


# --- Outcomes


def _outcome_view(request: HttpRequest, pk: int, *, form_class, title: str, record, initial) -> HttpResponse:
    prospect = access_prospect(request.user, pk)
    if not prospect.is_open:
        return _closed_dialog(request, prospect, title)
    form = form_class(request.POST or None, initial={**initial(prospect), "version": prospect.version})
    if request.method == "POST":
        if not form.is_valid():
            return _dialog(request, title=title, form=form, prospect=prospect, status=422)
        data = dict(form.cleaned_data)
        expected = data.pop("version")
        try:
            record(prospect=prospect, by=request.user, expected_version=expected, **data)
        except services.AlreadyClosed as exc:
            return _closed_dialog(request, exc.current, title)
        except ProspectConflict as exc:
            posted = request.POST.copy()
            posted["version"] = exc.current.version
            form = form_class(posted)
            form.is_valid()
            return _dialog(
                request, title=title, form=form, prospect=exc.current, status=409, alert=str(CONFLICT_MESSAGE)
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
            return _dialog(request, title=title, form=form, prospect=prospect, status=422)
        return _outcome_recorded(request, prospect)
    return _dialog(request, title=title, form=form, prospect=prospect)


def _outcome_recorded(request: HttpRequest, prospect: Prospect) -> HttpResponse:
    """The confirmation right after an outcome: in a dialog with an undo (the reopen dialog, with its
    reason) for whoever may reopen it; the board redraws behind it."""
    prospect.refresh_from_db()
    if prospect.status == Status.WON:
        message = _("“%(name)s” was recorded as won.") % {"name": prospect.name}
    else:
        message = _("“%(name)s” was recorded as lost.") % {"name": prospect.name}
    if not request.htmx:
        return _done(request, prospect, message)
    response = _dialog(
        request,
        title=_("The outcome was recorded"),
        prospect=prospect,
        recorded=message,
        may_undo=services.outcome_may_reopen(prospect=prospect, user=request.user),
        on_board=_on_board(request),
    )
    if _on_board(request):
        trigger_client_event(response, BOARD_CHANGED_EVENT, {"message": message})
    return response


@login_required
@require_http_methods(["GET", "POST"])
def outcome_won(request: HttpRequest, pk: int) -> HttpResponse:
    return _outcome_view(
        request,
        pk,
        form_class=WonForm,
        title=_("Mark as won"),
        record=services.outcome_record_won,
        initial=lambda p: {"amount": p.amount.quantize(1), "closed_on": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_lost(request: HttpRequest, pk: int) -> HttpResponse:
    return _outcome_view(
        request,
        pk,
        form_class=LostForm,
        title=_("Mark as lost"),
        record=services.outcome_record_lost,
        initial=lambda p: {"closed_on": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = access_prospect(request.user, pk)
    user = request.user
    if not (can_manage(user, prospect.owner) or services.outcome_may_reopen(prospect=prospect, user=user)):
        raise PermissionDenied(services.REOPEN_NOT_ALLOWED_MESSAGE)
    title = _("Reopen the prospect")
    if prospect.is_open:
        return _dialog(
            request, title=title, prospect=prospect, status=409, alert=str(services.NOT_CLOSED_MESSAGE)
        )
    form = ReopenForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.outcome_reopen(
                    prospect=prospect, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
                return _dialog(request, title=title, form=form, prospect=prospect, status=409)
            return _done(request, prospect, _("The prospect was reopened."))
        return _dialog(request, title=title, form=form, prospect=prospect, status=422)
    return _dialog(request, title=title, form=form, prospect=prospect, submit_label=_("Reopen"))


# --- Lists and statistics


@login_required
def waiting(request: HttpRequest) -> HttpResponse:
    form = StaleForm(request.GET or None)
    days = form.days_or_default()
    qs = selectors.stale_prospects(request.user, days=days)
    page = Paginator(qs, 50).get_page(parse_page(request.GET.get("page")))
    return render(request, "closing/waiting.html", {"form": form, "days": days, "page": page})


def _period(request: HttpRequest) -> tuple[PeriodForm, selectors.Period]:
    """The months chosen on the statistics page (default: the last 12, this one included)."""
    form = PeriodForm(request.GET or None, default_months=12)
    return form, form.period()


EXPORTS = {"test-closings": selectors.test_closing_export, "outcomes": selectors.outcome_export}


@login_required
@require_GET
def export(request: HttpRequest, what: str) -> HttpResponse:
    """Test closings or outcomes of the statistics page's period: CSV (UTF-8 BOM, ?encoding=cp932) or
    ?format=xlsx, with the screen's labels in the user's language and the screens' access rules."""
    if what not in EXPORTS:
        raise Http404
    _form, period = _period(request)
    header, rows = EXPORTS[what](request.user, period)
    filename = f"{what}-{period.start:%Y%m}-{period.end:%Y%m}"
    return export_response(
        request.GET.get("format", "csv"), filename, header, rows, request.GET.get("encoding", "utf-8-sig")
    )


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    form, period = _period(request)
    per_source, total = selectors.source_stats(request.user, period)
    context = {
        "form": form,
        "period": period,
        "questions": selectors.question_stats(request.user, period),
        "rep_months": selectors.rep_month_stats(request.user, period),
        "per_source": per_source,
        "per_lead_kind": selectors.lead_kind_stats(request.user, period),
        "total": total,
        "won_within_days": selectors.WON_WITHIN_DAYS,
    }
    return render(request, "closing/statistics.html", context)


# --- The question library (admins)


@admin_required
def question_list(request: HttpRequest) -> HttpResponse:
    questions = TestClosingQuestion.objects.annotate(times_used=Count("uses")).order_by(
        "is_retired", "kind", "id"
    )
    return render(request, "closing/questions.html", {"questions": questions})


@admin_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    question = get_object_or_404(TestClosingQuestion, pk=pk) if pk else None
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The question was saved."))
        return redirect("closing:questions")
    status = 422 if request.method == "POST" else 200
    return render(request, "closing/question_form.html", {"form": form, "question": question}, status=status)


@admin_required
@require_POST
def question_retire(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(TestClosingQuestion, pk=pk)
    question.is_retired = request.POST.get("retired", "1") == "1"
    question.save(update_fields=["is_retired"])
    messages.success(
        request, _("The question was retired.") if question.is_retired else _("The question is active again.")
    )
    return redirect("closing:questions")


@admin_required
@require_POST
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(TestClosingQuestion, pk=pk)
    try:
        services.question_delete(question=question)
    except ValidationError:
        messages.error(request, str(services.QUESTION_IN_USE_MESSAGE))
        return redirect("closing:questions")
    messages.success(request, _("The question was deleted."))
    return redirect("closing:questions")
