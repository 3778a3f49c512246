"""What the prospect detail page shows from the closing app, read in a few queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template
from django.utils import timezone

from closing import selectors, services
from closing.models import Reopening, TestClosing
from prospects.models import Prospect, Status

register = template.Library()


@dataclass
class ClosingSections:
    test_closings: list[TestClosing] = field(default_factory=list)
    reopenings: list[Reopening] = field(default_factory=list)
    origin_name: str = ""
    test_close_now: bool = False


@register.simple_tag
def closing_sections(prospect: Prospect, user) -> ClosingSections:
    today = timezone.localdate()
    tcs = selectors.prospect_test_closings(prospect)
    for tc in tcs:
        tc.editable = services.test_closing_is_editable(tc, user, today=today)
        tc.has_proposal = services.proposal_for(tc, prospect) is not None
    reopenings = selectors.prospect_reopenings(prospect)
    labels = dict(Status.choices)
    for r in reopenings:
        r.previous_status_label = labels.get(r.previous_status, r.previous_status)
    origin_name = ""
    if prospect.origin_id:
        origin_name = (
            Prospect.objects.filter(pk=prospect.origin_id).values_list("name", flat=True).first() or ""
        )
    from activities.testclose import is_test_close_now

    return ClosingSections(
        test_closings=tcs,
        reopenings=reopenings,
        origin_name=origin_name,
        test_close_now=is_test_close_now(prospect),
    )


@register.filter
def can_reopen(prospect: Prospect, user) -> bool:
    return services.outcome_may_reopen(prospect=prospect, user=user)
