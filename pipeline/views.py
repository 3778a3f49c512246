"""Thin views of the pipeline: board (+ move and quick edit), monthly list, snapshots, forecast, bands."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import admin_required, manager_required
from closing.selectors import prospect_revealed_budget
from pipeline import selectors
from pipeline.columns import MONTH_LIST_COLUMNS, SCREEN_COLUMNS
from pipeline.forms import BoardFilterForm, MoveForm, QuickEditForm, RankBandsForm
from pipeline.models import ForecastSnapshot, RankBands
from pipeline.services import prospect_move, prospect_quick_edit, rank_bands_update, snapshot_take
from prospects.forms import MonthField
from prospects.models import Horizon, Prospect
from prospects.selectors import access_prospect
from prospects.services import ProspectConflict
from salescrm.lib.export import CSV_ENCODINGS, export_header, export_response, export_rows
from salescrm.lib.htmx import wants_fragment
from salescrm.lib.months import add_months, this_month
from salescrm.lib.params import parse_page


def _fragment(request: HttpRequest) -> bool:
    return wants_fragment(request)


def _board_state(request: HttpRequest, data) -> tuple[selectors.Scope, BoardFilterForm]:
    scope = selectors.resolve_scope(request.user, data.get("scope"))
    form = BoardFilterForm(data)
    return scope, form


# The cards the user just moved or edited, newest first: the board keeps them in view after a reload
# even when they are past a column's first cards (selectors.board_columns).
PINNED_SESSION_KEY = "pipeline_pinned_cards"
PINNED_KEEP = 3


def _pin(request: HttpRequest, prospect: Prospect) -> None:
    kept = [pk for pk in request.session.get(PINNED_SESSION_KEY, []) if pk != prospect.pk]
    request.session[PINNED_SESSION_KEY] = [prospect.pk, *kept][:PINNED_KEEP]


def _pinned(request: HttpRequest) -> tuple[int, ...]:
    return tuple(pk for pk in request.session.get(PINNED_SESSION_KEY, []) if isinstance(pk, int))


def _board_query(scope: selectors.Scope, form: BoardFilterForm) -> str:
    params = {"scope": scope.key}
    if form.is_valid():
        for key in ("source", "q"):
            if form.cleaned_data.get(key):
                params[key] = form.cleaned_data[key]
        for key in ("month_from", "month_to"):
            if form.cleaned_data.get(key):
                params[key] = form.cleaned_data[key].strftime("%Y-%m")
    return urlencode(params)


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    scope, form = _board_state(request, request.GET)
    status = 200 if form.is_valid() or not request.GET else 400
    columns = selectors.board_columns(
        viewer=request.user, scope=scope, filters=form.filters(), today=today, pinned=_pinned(request)
    )
    context = {
        "scope": scope,
        "scope_choices": selectors.scope_choices(request.user, scope),
        "form": form,
        "columns": columns,
        "horizons": Horizon.choices,
        "today": today,
        "query": _board_query(scope, form),
    }
    template = "pipeline/board.html#board" if _fragment(request) else "pipeline/board.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def column_cards(request: HttpRequest) -> HttpResponse:
    """A column's "more" button (htmx): its next cards, appended to the column, and out of band the
    button for the cards after them (or none). A bad horizon, cursor or filter is a 400 whose alert is
    appended to the column instead (app.js swaps 400s: they say what went wrong)."""
    horizon = request.GET.get("horizon", "")
    scope, form = _board_state(request, request.GET)
    try:
        after = selectors.CardCursor.parse(request.GET.get("after", ""))
    except (ValueError, ArithmeticError):
        after = None
    if horizon not in Horizon.values:
        reason = _("Unknown horizon.")
    elif after is None:
        reason = _("The position in the column is not valid: reload the board.")
    elif not form.is_valid():
        reason = _("The filters are not valid: reload the board.")
    else:
        reason = ""
    if reason:
        return render(request, "pipeline/_column_alert.html", {"reason": reason}, status=400)
    today = timezone.localdate()
    cards, more = selectors.column_cards(
        viewer=request.user,
        scope=scope,
        filters=form.filters(),
        horizon=horizon,
        after=after,
        today=today,
        pinned=_pinned(request),
    )
    column = selectors.Column(horizon=horizon, label=str(Horizon(horizon).label), cards=cards)
    if more and cards:
        column.more_after = selectors.CardCursor.after(cards[-1])
    context = {
        "cards": cards,
        "col": column,
        "scope": scope,
        "query": _board_query(scope, form),
        "oob": True,
        "horizons": Horizon.choices,
    }
    return render(request, "pipeline/_column_cards.html", context)


def _card_response(
    request: HttpRequest,
    prospect: Prospect,
    *,
    scope: selectors.Scope,
    form: BoardFilterForm,
    status: int = 200,
    error: str = "",
    edit_form: QuickEditForm | None = None,
    headers: bool = True,
    confirmation: str = "",
) -> HttpResponse:
    """The card (or its quick-edit form) and, out of band, the three column headers."""
    today = timezone.localdate()
    bands, _target = scope.bands_and_target()  # read once: the column headers use them too
    selectors.decorate(prospect, bands, today)
    columns = (
        selectors.column_headers(
            viewer=request.user, scope=scope, filters=form.filters(), today=today, bands=bands
        )
        if headers
        else []
    )
    context = {
        "prospect": prospect,
        "cards": [prospect],
        "columns": columns,
        "oob": True,
        "error": error,
        "edit_form": edit_form,
        "horizons": Horizon.choices,
        "today": today,
        "confirmation": confirmation,
    }
    return render(request, "pipeline/_card_response.html", context, status=status)


def _board_url(scope: selectors.Scope, filters: BoardFilterForm, prospect: Prospect) -> str:
    return f"{reverse('pipeline:board')}?{_board_query(scope, filters)}#card-{prospect.pk}"


@login_required
@require_POST
def board_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Drag-and-drop (or the card's menu) posts here: the horizon and the version the user saw."""
    prospect = access_prospect(request.user, pk)
    scope, filters = _board_state(request, request.POST)
    form = MoveForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        return _card_response(request, prospect, scope=scope, form=filters, status=422, error=errors)
    try:
        prospect = prospect_move(
            prospect=prospect,
            by=request.user,
            horizon=form.cleaned_data["horizon"],
            expected_version=form.cleaned_data["version"],
        )
    except ProspectConflict as exc:
        message = _(
            "Not moved: someone else changed this prospect in the meantime. It is shown as it is now."
        )
        return _card_response(request, exc.current, scope=scope, form=filters, status=409, error=message)
    except ValidationError as exc:
        return _card_response(
            request, prospect, scope=scope, form=filters, status=422, error=" ".join(exc.messages)
        )
    _pin(request, prospect)
    confirmation = _("Moved “%(name)s” to %(horizon)s.") % {
        "name": prospect.name,
        "horizon": Horizon(prospect.horizon).label,
    }
    if not request.htmx:
        messages.success(request, confirmation)
        return redirect(_board_url(scope, filters, prospect))
    return _card_response(request, prospect, scope=scope, form=filters, confirmation=confirmation)


@login_required
@require_http_methods(["GET", "POST"])
def card_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Quick edit of probability, amount and expected month, in the card; same version lock."""
    prospect = access_prospect(request.user, pk)
    data = request.POST if request.method == "POST" else request.GET
    scope, filters = _board_state(request, data)
    if request.method == "GET":
        if request.GET.get("cancel"):
            return _card_response(request, prospect, scope=scope, form=filters, headers=False)
        form = QuickEditForm(
            initial={
                "probability": prospect.probability,
                "amount": prospect.amount.quantize(Decimal("1"))
                if prospect.amount == prospect.amount.to_integral()
                else prospect.amount,
                "expected_month": prospect.expected_month,
                "version": prospect.version,
            },
            revealed_budget=prospect_revealed_budget(prospect),
        )
        return _card_response(request, prospect, scope=scope, form=filters, edit_form=form, headers=False)
    form = QuickEditForm(request.POST)
    if not form.is_valid():
        return _card_response(
            request, prospect, scope=scope, form=filters, edit_form=form, status=422, headers=False
        )
    try:
        prospect = prospect_quick_edit(
            prospect=prospect,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            probability=form.cleaned_data["probability"],
            amount=form.cleaned_data["amount"],
            expected_month=form.cleaned_data["expected_month"],
        )
    except ProspectConflict as exc:
        message = _(
            "Not saved: someone else changed this prospect in the meantime. It is shown as it is now."
        )
        return _card_response(request, exc.current, scope=scope, form=filters, status=409, error=message)
    except ValidationError as exc:
        errors = " ".join(exc.messages)
        return _card_response(
            request,
            prospect,
            scope=scope,
            form=filters,
            edit_form=form,
            status=422,
            error=errors,
            headers=False,
        )
    _pin(request, prospect)
    confirmation = _("Saved “%(name)s”.") % {"name": prospect.name}
    if not request.htmx:
        messages.success(request, confirmation)
        return redirect(_board_url(scope, filters, prospect))
    return _card_response(request, prospect, scope=scope, form=filters, confirmation=confirmation)


# --- Monthly list ------------------------------------------------------------------------------


def _month_param(request: HttpRequest, today: dt.date) -> dt.date:
    raw = request.GET.get("month") or request.POST.get("month")
    if not raw:
        return this_month(today)
    try:
        return MonthField().clean(raw)
    except ValidationError:
        raise Http404 from None


# The header of the month list's exports (the browser tests read the downloaded file with it).
EXPORT_HEADER = [column.label for column in MONTH_LIST_COLUMNS]


def _export(request: HttpRequest, data: selectors.MonthList, fmt: str) -> HttpResponse:
    encoding = request.GET.get("encoding") or "utf-8-sig"
    filename = f"might-buy-{data.month:%Y-%m}-{data.scope.key}"
    if fmt == "csv" and CSV_ENCODINGS.get(encoding) == "cp932":
        filename += "-sjis"  # the two CSV downloads must not overwrite each other
    header = export_header(MONTH_LIST_COLUMNS)
    return export_response(fmt, filename, header, export_rows(MONTH_LIST_COLUMNS, data.rows), encoding)


@login_required
@require_GET
def month_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    month = _month_param(request, today)
    scope = selectors.resolve_scope(request.user, request.GET.get("scope"))
    fmt = request.GET.get("format", "")
    printing = request.GET.get("print") == "1"
    # The screen shows a page of rows; the print view and the exports carry every row.
    every_row = printing or fmt in ("csv", "xlsx")
    data = selectors.month_list(
        viewer=request.user,
        scope=scope,
        month=month,
        today=today,
        page=parse_page(request.GET.get("page")),
        page_size=None if every_row else settings.MONTH_LIST_PAGE_SIZE,
    )
    if fmt in ("csv", "xlsx"):
        return _export(request, data, fmt)
    snapshot = scope.snapshot(month)
    context = {
        "data": data,
        "scope": scope,
        "scope_choices": selectors.scope_choices(request.user, scope),
        "month": month,
        "previous": add_months(month, -1),
        "next": add_months(month, 1),
        "snapshot": snapshot,
        "can_snapshot": request.user.is_manager or request.user.is_admin_role,
        "query": urlencode({"scope": scope.key, "month": month.strftime("%Y-%m")}),
        "print": printing,
        "columns": SCREEN_COLUMNS,
    }
    template = "pipeline/month_list.html#results" if _fragment(request) else "pipeline/month_list.html"
    return render(request, template, context)


@manager_required
@require_POST
def snapshot_create(request: HttpRequest) -> HttpResponse:
    scope = selectors.resolve_scope(request.user, request.POST.get("scope"))
    month = _month_param(request, timezone.localdate())
    snapshot, created = snapshot_take(scope=scope, month=month, by=request.user)
    if created:
        messages.success(request, _("The list was saved as the snapshot of this month."))
    else:
        messages.info(request, _("This month already has a snapshot; it was kept as it was."))
    return redirect("pipeline:snapshot", pk=snapshot.pk)


@login_required
@require_GET
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = get_object_or_404(ForecastSnapshot.objects.select_related("team", "user"), pk=pk)
    # Only those who may look at the scope may see its snapshot.
    selectors.resolve_scope(request.user, snapshot.scope)
    accuracy = selectors.snapshot_accuracy(snapshot=snapshot, viewer=request.user)
    scope = selectors.snapshot_scope(snapshot)
    return render(request, "pipeline/snapshot.html", {"acc": accuracy, "snapshot": snapshot, "scope": scope})


# --- Forecast ------------------------------------------------------------------------------------

CHART_HEIGHT = 200
CHART_BAR = 28
CHART_GROUP = 90
CHART_TOP = 20
CHART_LEFT = 10


def _chart(months: list[selectors.ForecastMonth]) -> dict:
    """Bar geometry for the SVG, computed here: no JS, no style attributes."""
    top = max([m.amount for m in months] + [Decimal(1)])
    bars = []
    for i, m in enumerate(months):
        x = CHART_LEFT + i * CHART_GROUP
        h_amount = int(Decimal(CHART_HEIGHT) * m.amount / top)
        h_weighted = int(Decimal(CHART_HEIGHT) * m.weighted / top)
        bars.append(
            {
                "m": m,
                "x_amount": x,
                "x_weighted": x + CHART_BAR + 4,
                "y_amount": CHART_TOP + CHART_HEIGHT - h_amount,
                "y_weighted": CHART_TOP + CHART_HEIGHT - h_weighted,
                "h_amount": h_amount,
                "h_weighted": h_weighted,
                "x_label": x + CHART_BAR + 2,
            }
        )
    return {
        "bars": bars,
        "width": CHART_LEFT * 2 + CHART_GROUP * len(months),
        "height": CHART_TOP + CHART_HEIGHT + 30,
        "base": CHART_TOP + CHART_HEIGHT,
        "label_y": CHART_TOP + CHART_HEIGHT + 18,
        "bar": CHART_BAR,
        "top": top,
    }


@login_required
@require_GET
def forecast(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    scope = selectors.resolve_scope(request.user, request.GET.get("scope"))
    months = selectors.forecast(viewer=request.user, scope=scope, today=today)
    total_amount = sum((m.amount for m in months), Decimal(0))
    total_weighted = sum((m.weighted for m in months), Decimal(0))
    context = {
        "scope": scope,
        "scope_choices": selectors.scope_choices(request.user, scope),
        "months": months,
        "chart": _chart(months),
        "total_amount": total_amount,
        "total_weighted": total_weighted,
    }
    return render(request, "pipeline/forecast.html", context)


# --- Rank bands (admins) ------------------------------------------------------------------------


@admin_required
@require_http_methods(["GET", "POST"])
def rank_bands(request: HttpRequest) -> HttpResponse:
    bands = RankBands.load()
    form = RankBandsForm(request.POST or None, instance=bands)
    if request.method == "POST":
        if form.is_valid():
            try:
                rank_bands_update(
                    by=request.user, a_min=form.cleaned_data["a_min"], b_min=form.cleaned_data["b_min"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("pipeline:rank_bands")
        return render(request, "pipeline/rank_bands.html", {"form": form}, status=422)
    return render(request, "pipeline/rank_bands.html", {"form": form})
