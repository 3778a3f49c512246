"""THE registry of measured pages. One entry per page or endpoint: name, persona, URL builder (given the
generated data set), method, POST-data builder, htmx or not.

An entry whose URL name does not resolve yet (NoReverseMatch: the app is on another branch) is reported
as "not available yet" and lights up once its URL exists. Adjust names and parameters here after a merge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from bench.datagen import Dataset


@dataclass(frozen=True)
class Page:
    name: str
    persona: str  # rep | heavy_rep | manager | admin (see Dataset.persona_id)
    url: Callable[[Dataset], str]
    method: str = "GET"
    # Called before every request (outside the timing and the query count), e.g. to re-read a version.
    data: Callable[[Dataset], dict[str, Any]] | None = None
    htmx: bool = False
    ok_statuses: tuple[int, ...] = (200,)
    # Extra request headers, e.g. a REST API call's personal token (outside the timing).
    headers: Callable[[Dataset], dict[str, str]] | None = None


def _move_data(ds: Dataset) -> dict[str, Any]:
    """The horizon move needs the current version (optimistic lock): re-read it before each request and
    swing the prospect between short and mid so every request is a real move."""
    from prospects.models import Prospect

    horizon, version = Prospect.objects.values_list("horizon", "version").get(pk=ds.move_prospect_id)
    return {"horizon": "mid" if horizon == "short" else "short", "version": version}


def _edit_data(ds: Dataset) -> dict[str, Any]:
    """The prospect edit form as the rep would post it, with the version just read (optimistic lock)."""
    from prospects.models import Prospect

    p = Prospect.objects.get(pk=ds.move_prospect_id)
    return {
        "name": p.name,
        "contact_person": p.contact_person,
        "phone": p.phone,
        "email": p.email,
        "address": p.address,
        "source": p.source,
        "horizon": p.horizon,
        "probability": 60 if p.probability != 60 else 40,
        "expected_month": p.expected_month.strftime("%Y-%m") if p.expected_month else "",
        "amount": str(p.amount),
        "notes": p.notes,
        "version": p.version,
        # Its next planned activity as shown (the form's "plan the next activity"), unchanged.
        **_next_activity_data(p),
    }


def _next_activity_data(p) -> dict[str, Any]:
    """The form's next activity as shown. The prospect gets one first if it has none, so the page does the
    same work at every size (the data sets' random plans gave S's prospect one and M's none: 14 and 12
    queries)."""
    from activities.models import Activity, ActivityKind
    from activities.selectors import next_planned

    planned = next_planned(p)
    if planned is None:
        Activity.objects.create(
            prospect=p,
            owner_id=p.owner_id,
            kind=ActivityKind.objects.order_by("position", "pk").first(),
            subject="現地調査",
            starts_at=timezone.now() + dt.timedelta(days=7),
        )
        planned = next_planned(p)
    return {
        "next_kind": planned.kind_id,
        "next_on": timezone.localdate(planned.starts_at).isoformat(),
        "next_subject": planned.subject,
        "next_activity": planned.pk,
        "next_version": planned.version,
    }


def _inquiry_form_url(ds: Dataset) -> str:
    """The web inquiry form's endpoint (the form is made once for the data set's team)."""
    from inbound.models import InquiryForm

    form, _ = InquiryForm.objects.get_or_create(
        name="bench",
        defaults={
            "team_id": ds.team_id,
            "asked_fields": ["company", "name", "email"],
            "thank_you_text": "ok",
        },
    )
    return reverse("inbound:public_submit", args=[form.key]) + "?lang=ja"


def _inquiry_data(ds: Dataset) -> dict[str, Any]:
    """A visitor's submission: a token handed out 10 s ago, a new address each time; the per-address
    counters are emptied first (the limit is tested in tests/inbound, not measured here)."""
    import time
    import uuid

    from inbound.guard import fill_token
    from inbound.models import InquiryForm, SubmissionCounter

    SubmissionCounter.objects.all().delete()
    form = InquiryForm.objects.get(name="bench")
    n = uuid.uuid4().hex[:10]
    return {
        "ts": fill_token(form, now=time.time() - 10),
        "company": f"反響テスト{n}株式会社",
        "name": "反響 太郎",
        "email": f"bench-{n}@example.jp",
    }


def _test_closing_data(ds: Dataset) -> dict[str, Any]:
    return {
        "question": ds.question_id or "",
        "question_text": "いつ頃までに決めたいとお考えですか",
        "answer": "来月の家族会議で決めます",
        "reading": "undecided",
    }


# (data-set size, rep id) -> token: a run that compares sizes measures two databases whose reps may
# share an id, and a token lives in one database only.
_API_TOKENS: dict[tuple[str, int], str] = {}


def _api_headers(ds: Dataset) -> dict[str, str]:
    """A read-only personal API token of the rep (made once per data set and run; api/)."""
    key = (ds.size, ds.persona_id("rep"))
    if key not in _API_TOKENS:
        from accounts.models import User
        from api.services import token_create

        _API_TOKENS[key] = token_create(user=User.objects.get(pk=key[1]), name="bench")[1]
    return {"Authorization": f"Bearer {_API_TOKENS[key]}"}


BASELINE = Page("baseline", "rep", lambda ds: reverse("bench_baseline"))

PAGES: list[Page] = [
    # The frame alone (bench.baseline.frame): base.html with an empty content block for a signed-in rep,
    # what every page pays before its own content; measured next to the baseline (docs/performance.md).
    Page("frame", "rep", lambda ds: reverse("bench_frame")),
    # A manager's frame: the bell counts the alerts of the teams they lead (the visibility rule's memo).
    Page("frame.manager", "manager", lambda ds: reverse("bench_frame")),
    Page("home", "rep", lambda ds: reverse("home")),
    Page("prospects.list", "rep", lambda ds: reverse("prospects:list")),
    Page(
        "prospects.list.filtered",
        "manager",
        lambda ds: reverse("prospects:list") + "?source=inbound&horizon=short",
    ),
    Page("prospects.detail", "rep", lambda ds: reverse("prospects:detail", args=[ds.detail_prospect_id])),
    Page("pipeline.board.rep", "rep", lambda ds: reverse("pipeline:board") + f"?scope=user-{ds.rep_id}"),
    # The heavy rep (Size.heavy_open open prospects, 10,000 at M): a rep's own list and board must not
    # grow with the rep's own open count.
    Page("prospects.list.heavy_rep", "heavy_rep", lambda ds: reverse("prospects:list")),
    Page(
        "pipeline.board.heavy_rep",
        "heavy_rep",
        lambda ds: reverse("pipeline:board") + f"?scope=user-{ds.heavy_rep_id}",
    ),
    Page(
        "pipeline.board.team", "manager", lambda ds: reverse("pipeline:board") + f"?scope=team-{ds.team_id}"
    ),
    Page(
        "pipeline.monthly", "manager", lambda ds: reverse("pipeline:month_list") + f"?scope=team-{ds.team_id}"
    ),
    Page("targets.bell", "rep", lambda ds: reverse("targets:bell"), htmx=True),
    # The daily report (issue 18): a rep's day (its live figures and items) and a manager's team on a
    # day (each rep's figures, who has not submitted).
    Page("reports.daily.rep", "rep", lambda ds: reverse("reports:daily")),
    Page("reports.daily.team", "manager", lambda ds: reverse("reports:team") + f"?scope=team-{ds.team_id}"),
    # Activities (issue 18): the agenda of a rep, of the heavy rep and of a manager's team; the prospect
    # timeline's first page and its htmx "older" page (about 10 activities a prospect).
    Page("activities.agenda.rep", "rep", lambda ds: reverse("activities:agenda")),
    Page("activities.agenda.heavy_rep", "heavy_rep", lambda ds: reverse("activities:agenda")),
    Page(
        "activities.agenda.team",
        "manager",
        lambda ds: reverse("activities:agenda") + f"?scope=team-{ds.team_id}",
    ),
    Page(
        "activities.timeline",
        "rep",
        lambda ds: reverse("activities:timeline", args=[ds.detail_prospect_id]),
    ),
    Page(
        "activities.timeline.older",
        "rep",
        lambda ds: reverse("activities:timeline", args=[ds.detail_prospect_id]) + "?page=2",
        htmx=True,
    ),
    # Lead activities (issue 18): a rep's list, a manager's (the team's reps'), and the yields page
    # (every visible rep's, team's and the company's figures of the trailing 90 days).
    Page("activities.leads.rep", "rep", lambda ds: reverse("activities:lead_list")),
    Page("activities.leads.manager", "manager", lambda ds: reverse("activities:lead_list")),
    Page("activities.leads.yields", "manager", lambda ds: reverse("activities:lead_yields")),
    # Companies and contacts (#19): the top bar's search, as a page and as the fragment htmx asks for as
    # the user types (a kana stem that many companies share, typed in hiragana), and a company page (its
    # contacts, the deals the viewer may see with their totals, the timeline).
    Page(
        "companies.search",
        "rep",
        lambda ds: reverse("companies:search") + "?" + urlencode({"q": ds.search_query}),
    ),
    Page(
        "companies.search.htmx",
        "rep",
        lambda ds: reverse("companies:search") + "?" + urlencode({"q": ds.search_query}),
        htmx=True,
    ),
    Page("companies.detail", "rep", lambda ds: reverse("companies:detail", args=[ds.company_id])),
    Page(
        "prospects.edit",
        "rep",
        lambda ds: reverse("prospects:edit", args=[ds.move_prospect_id]),
        method="POST",
        data=_edit_data,
        ok_statuses=(302,),
    ),
    Page(
        "pipeline.move",
        "rep",
        lambda ds: reverse("pipeline:move", args=[ds.move_prospect_id]),
        method="POST",
        data=_move_data,
        htmx=True,
        ok_statuses=(200, 204, 302),
    ),
    Page("inbound.submit", "rep", _inquiry_form_url, method="POST", data=_inquiry_data),
    # The REST API's prospect list (#21): the rep's open prospects, first page of 25, with a token.
    Page("api.prospects", "rep", lambda ds: reverse("api_v1:prospects"), headers=_api_headers),
    Page(
        "closing.test_closing_create",
        "rep",
        lambda ds: reverse("closing:test_closing_log", args=[ds.closing_prospect_id]),
        method="POST",
        data=_test_closing_data,
        htmx=True,
        ok_statuses=(200, 201, 204, 302),
    ),
]

# Loaded with wrk under gunicorn: the first available page of each list is used.
THROUGHPUT: dict[str, list[str]] = {
    "rep board": ["pipeline.board.rep", "prospects.list"],
    "monthly list": ["pipeline.monthly"],
}


def by_name(name: str) -> Page:
    if name == BASELINE.name:
        return BASELINE
    return next(page for page in PAGES if page.name == name)
