from __future__ import annotations

from django import template

from activities.yields import AlertPlan, PlanInputs, alert_plan

register = template.Library()


@register.simple_tag(takes_context=True)
def activity_plan(context, alert) -> AlertPlan:
    """The alert's plan counted in lead activities. The yields and this month's work are read once
    per request (kept on it), so a page of alerts reads them in five queries, not five per alert."""
    request = context.get("request")
    inputs = getattr(request, "_leadgen_plan_inputs", None)
    if inputs is None:
        inputs = PlanInputs.read()
        if request is not None:
            request._leadgen_plan_inputs = inputs
    return alert_plan(alert=alert, inputs=inputs)
