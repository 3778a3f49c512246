"""The access matrix: every URL pattern of the project x every role x GET and POST.

URL patterns are read from the URLconf, so a new URL without a rule in RULES fails
`test_every_url_has_an_access_rule`. Each rule names who may use the URL; everyone else must get 404
(object URLs: ids never leak), 403 (role pages) or the login redirect (anonymous).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ["owner", "teammate", "outsider", "manager", "other_manager", "admin", "anonymous"]
STAFF = {"admin"}


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    denied_status: frozenset[int] = frozenset({404})
    kwargs: Callable[[object], dict] | None = None
    anonymous_ok: bool = False
    # Statuses an allowed user may get on POST besides 2xx/3xx (validation 400/422, conflicts 409).
    methods: frozenset[str] = frozenset({"GET", "POST"})
    extra_ok: frozenset[int] = field(default_factory=frozenset)
    # A REST API operation (api/): called with the persona's personal API token, not a session;
    # anonymous gets 401.
    api: bool = False


EVERYONE = frozenset(ROLES) - {"anonymous"}
OBJECT_VIEWERS = frozenset({"owner", "manager", "admin"})
ROLE_DENIED = frozenset({403, 404})


def prospect_kwargs(p) -> dict:
    return {"pk": p.prospect.pk}


def owner_scope_kwargs(p) -> dict:
    return {"key": f"user-{p.owner.pk}"}


ADMINS = frozenset({"admin"})


MANAGERS = frozenset({"manager", "other_manager", "admin"})


def snapshot_kwargs(p) -> dict:
    import datetime as dt

    from pipeline.models import ForecastSnapshot

    snapshot, _ = ForecastSnapshot.objects.get_or_create(
        scope=f"user-{p.owner.pk}", user=p.owner, month=dt.date(2026, 11, 1)
    )
    return {"pk": snapshot.pk}


def import_job_kwargs(p) -> dict:
    from imports.models import ImportJob

    job = ImportJob.objects.create(
        created_by=p.owner, file_path="x.csv", original_name="x.csv", file_format="csv"
    )
    return {"pk": job.pk}


CREATOR_AND_ADMIN = frozenset({"owner", "admin"})


def people_job_kwargs(p) -> dict:
    from imports.models import ImportJob, ImportKind

    job = ImportJob.objects.create(
        created_by=p.admin,
        kind=ImportKind.PEOPLE,
        file_path="x.csv",
        original_name="x.csv",
        file_format="csv",
    )
    return {"pk": job.pk}


def closing_entry_kwargs(p) -> dict:
    from closing.models import TestClosing

    entry = TestClosing.objects.create(
        prospect=p.prospect, question_text="q", answer="a", reading="positive", asked_by=p.owner
    )
    return {"pk": entry.pk}


def question_kwargs(p) -> dict:
    from closing.models import TestClosingQuestion

    return {"pk": TestClosingQuestion.objects.create(text_ja="質問", text_en="q", kind="price").pk}


def activity_kwargs(p) -> dict:
    import datetime as dt

    from django.utils import timezone

    from activities.models import Activity
    from tests.activities.conftest import kind

    activity = Activity.objects.create(
        prospect=p.prospect,
        owner=p.owner,
        kind=kind("call"),
        starts_at=timezone.now() + dt.timedelta(days=1),
    )
    return {"pk": activity.pk}


def lead_activity_kwargs(p) -> dict:
    import datetime as dt

    from activities.models import LeadActivity

    return {
        "pk": LeadActivity.objects.create(owner=p.owner, kind="flyer", on=dt.date(2026, 11, 2), flyers=300).pk
    }


def daily_report_kwargs(p) -> dict:
    import datetime as dt

    from reports.services import daily_report_submit

    report = daily_report_submit(owner=p.owner, day=dt.date(2026, 11, 4), comment="", expected_version=None)
    return {"pk": report.pk}


def feed_kwargs(p) -> dict:
    from activities.services import feed_token_reset

    return {"token": feed_token_reset(user=p.owner)}


def company_kwargs(p) -> dict:
    from companies.models import Company

    company = Company.objects.create(name="ミナト工務店")
    p.prospect.company = company
    p.prospect.save()
    return {"pk": company.pk}


def contact_kwargs(p) -> dict:
    from companies.models import Contact

    return {"pk": Contact.objects.create(name="山田 太郎").pk}


def webhook_kwargs(p) -> dict:
    from webhooks.models import Subscription

    subscription = Subscription.objects.create(
        url="https://hooks.example.com/in", events=["prospect.created"]
    )
    return {"pk": subscription.pk}


def webhook_delivery_kwargs(p) -> dict:
    from webhooks.models import Delivery, Subscription

    subscription = Subscription.objects.create(
        url="https://hooks.example.com/in", events=["prospect.created"]
    )
    delivery = Delivery.objects.create(
        subscription=subscription, event_type="prospect.created", message_id="msg_matrix", payload={}
    )
    return {"pk": delivery.pk}


def api_headers(user) -> dict[str, str]:
    """A read-write personal API token of `user`, as the header the REST API reads."""
    from api.services import token_create

    return {"Authorization": f"Bearer {token_create(user=user, name='matrix', scope='write')[1]}"}


def api_token_kwargs(p) -> dict:
    from api.services import token_create

    return {"pk": token_create(user=p.owner, name="revoke me")[0].pk}


def api_alert_kwargs(p) -> dict:
    from django.utils import timezone

    from targets.models import PipelineAlert

    now = timezone.now()
    alert = PipelineAlert.objects.create(
        scope="user", user=p.owner, rule="open", current=1, target=5, deficit=4, opened_at=now, checked_at=now
    )
    return {"pk": alert.pk}


def inquiry_form_kwargs(p) -> dict:
    from inbound.models import InquiryForm

    form = InquiryForm.objects.create(name="資料請求", team=p.team, thank_you_text="ありがとうございました。")
    return {"pk": form.pk}


def inquiry_form_key_kwargs(p) -> dict:
    from inbound.models import InquiryForm

    return {"key": InquiryForm.objects.get(pk=inquiry_form_kwargs(p)["pk"]).key}


def notification_kwargs(p) -> dict:
    from notifications.services import notify

    return {"pk": notify(p.owner, "test", "A test notification", "/", email=False).pk}


# One line per URL name. Kinds: everyone logged in; the prospect's viewers; admins only.
RULES: dict[str, Rule] = {
    "home": Rule(EVERYONE),
    "health": Rule(frozenset(ROLES), anonymous_ok=True),
    "favicon": Rule(frozenset(ROLES), anonymous_ok=True),
    "set_language": Rule(frozenset(ROLES), anonymous_ok=True),
    "login": Rule(frozenset(ROLES), anonymous_ok=True),
    "logout": Rule(frozenset(ROLES), anonymous_ok=True),
    "password_change": Rule(EVERYONE),
    "password_change_done": Rule(EVERYONE),
    "two_factor_setup": Rule(MANAGERS, denied_status=ROLE_DENIED),
    "two_factor_verify": Rule(EVERYONE),
    "two_factor_disable": Rule(MANAGERS, denied_status=ROLE_DENIED),
    "prospects:list": Rule(EVERYONE),
    "prospects:create": Rule(EVERYONE),
    "prospects:horizon_hint": Rule(EVERYONE),
    # The prospect form's company and contact offers: the directory is shared (README, Roles and access).
    "prospects:company_offer": Rule(EVERYONE),
    "prospects:contact_offer": Rule(EVERYONE),
    "prospects:detail": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs),
    "prospects:edit": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs),
    "closing:test_closing_log": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs),
    "closing:won": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs),
    "closing:lost": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs),
    "closing:reopen": Rule(
        frozenset({"manager", "admin"}), denied_status=ROLE_DENIED, kwargs=prospect_kwargs
    ),
    "closing:test_closing_edit": Rule(
        frozenset({"owner"}), denied_status=ROLE_DENIED, kwargs=closing_entry_kwargs
    ),
    "closing:test_closing_annotate": Rule(OBJECT_VIEWERS, kwargs=closing_entry_kwargs),
    "closing:proposal": Rule(OBJECT_VIEWERS, kwargs=closing_entry_kwargs),
    "closing:waiting": Rule(EVERYONE),
    "closing:statistics": Rule(EVERYONE),
    "closing:export": Rule(EVERYONE, kwargs=lambda p: {"what": "outcomes"}),
    "closing:questions": Rule(ADMINS, denied_status=ROLE_DENIED),
    "closing:question_create": Rule(ADMINS, denied_status=ROLE_DENIED),
    "closing:question_edit": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=question_kwargs),
    "closing:question_retire": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=question_kwargs),
    "closing:question_delete": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=question_kwargs),
    "pipeline:board": Rule(EVERYONE),
    "pipeline:column_cards": Rule(EVERYONE),  # its scope is checked like the board's (tests/pipeline)
    "pipeline:month_list": Rule(EVERYONE),
    "pipeline:forecast": Rule(EVERYONE),
    "pipeline:move": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs),
    "pipeline:card_edit": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs),
    "pipeline:snapshot": Rule(OBJECT_VIEWERS, kwargs=snapshot_kwargs),
    "pipeline:snapshot_create": Rule(MANAGERS, denied_status=ROLE_DENIED),
    "pipeline:rank_bands": Rule(ADMINS, denied_status=ROLE_DENIED),
    "imports:list": Rule(EVERYONE),
    "imports:upload": Rule(EVERYONE),
    "imports:job": Rule(CREATOR_AND_ADMIN, kwargs=import_job_kwargs),
    "imports:mapping": Rule(CREATOR_AND_ADMIN, kwargs=import_job_kwargs),
    "imports:run": Rule(CREATOR_AND_ADMIN, kwargs=import_job_kwargs),
    "imports:errors": Rule(CREATOR_AND_ADMIN, kwargs=import_job_kwargs),
    # The people import (accounts, teams and managers): admins only.
    "imports:people_upload": Rule(ADMINS, denied_status=ROLE_DENIED),
    "imports:people_job": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=people_job_kwargs),
    "imports:people_mapping": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=people_job_kwargs),
    "imports:people_run": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=people_job_kwargs),
    # Activating the reps an import created: admins only (the job's creator too must be one).
    "imports:activate_owners": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=import_job_kwargs),
    "targets:settings": Rule(EVERYONE),
    "targets:row": Rule(OBJECT_VIEWERS, kwargs=owner_scope_kwargs),
    "targets:edit": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=owner_scope_kwargs),
    "targets:bell": Rule(EVERYONE),
    "targets:alerts": Rule(EVERYONE),
    "targets:health": Rule(EVERYONE),
    # Account administration: admins only; Django's password reset: anyone, logged in or not.
    "user_list": Rule(ADMINS, denied_status=ROLE_DENIED),
    "audit_log": Rule(ADMINS, denied_status=ROLE_DENIED),
    "user_invite": Rule(ADMINS, denied_status=ROLE_DENIED),
    "user_password_reset": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=lambda p: {"pk": p.owner.pk}),
    "user_set_active": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=lambda p: {"pk": p.owner.pk}),
    "user_reassign": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=lambda p: {"pk": p.owner.pk}),
    "password_reset": Rule(frozenset(ROLES), anonymous_ok=True),
    "password_reset_done": Rule(frozenset(ROLES), anonymous_ok=True),
    "password_reset_confirm": Rule(
        frozenset(ROLES), anonymous_ok=True, kwargs=lambda p: {"uidb64": "MQ", "token": "set-password"}
    ),
    "password_reset_complete": Rule(frozenset(ROLES), anonymous_ok=True),
    # Activities follow their prospect's rule; the calendar feed's secret URL is its own key.
    "activities:agenda": Rule(EVERYONE),
    "activities:settings": Rule(EVERYONE),
    "activities:feed_reset": Rule(EVERYONE),
    "activities:feed": Rule(frozenset(ROLES), anonymous_ok=True, kwargs=feed_kwargs),
    "activities:create": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs),
    "activities:timeline": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs),
    "activities:edit": Rule(OBJECT_VIEWERS, kwargs=activity_kwargs),
    "activities:complete": Rule(OBJECT_VIEWERS, kwargs=activity_kwargs),
    "activities:delete": Rule(OBJECT_VIEWERS, kwargs=activity_kwargs),
    "activities:lead_list": Rule(EVERYONE),
    "activities:lead_create": Rule(EVERYONE),
    "activities:lead_yields": Rule(EVERYONE),
    "activities:lead_detail": Rule(OBJECT_VIEWERS, kwargs=lead_activity_kwargs),
    # Daily reports: one's own day for everyone; the team's day for managers; a report for its owner's
    # viewers (its comment form too).
    "reports:daily": Rule(EVERYONE),
    "reports:team": Rule(MANAGERS, denied_status=ROLE_DENIED),
    "reports:detail": Rule(OBJECT_VIEWERS, kwargs=daily_report_kwargs),
    # Companies and contacts are shared across the firm (their deals are not); managers merge them (a POST
    # without the record that stays is a form error).
    "companies:list": Rule(EVERYONE),
    "companies:search": Rule(EVERYONE),
    "companies:detail": Rule(EVERYONE, kwargs=company_kwargs),
    "companies:merge": Rule(
        MANAGERS, denied_status=ROLE_DENIED, kwargs=company_kwargs, extra_ok=frozenset({400})
    ),
    "companies:contact_list": Rule(EVERYONE),
    "companies:contact_detail": Rule(EVERYONE, kwargs=contact_kwargs),
    "companies:contact_merge": Rule(
        MANAGERS, denied_status=ROLE_DENIED, kwargs=contact_kwargs, extra_ok=frozenset({400})
    ),
    # A manager's bulk change of the prospects they see (reps: 403; rows they may not see are ignored).
    "prospects:bulk": Rule(MANAGERS, denied_status=ROLE_DENIED),
    # Webhook subscriptions and their delivery logs: admins only (a POST with no data is a form error).
    "webhooks:list": Rule(ADMINS, denied_status=ROLE_DENIED),
    "webhooks:create": Rule(ADMINS, denied_status=ROLE_DENIED),
    "webhooks:detail": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=webhook_kwargs),
    "webhooks:edit": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=webhook_kwargs),
    "webhooks:pause": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=webhook_kwargs),
    "webhooks:secret": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=webhook_kwargs),
    "webhooks:delete": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=webhook_kwargs),
    "webhooks:delivery": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=webhook_delivery_kwargs),
    "webhooks:resend": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=webhook_delivery_kwargs),
    # Web inquiry forms: admins set them up; their public page, token, endpoint and script are for anyone
    # (an empty POST is refused with a reason, 400).
    "inbound:forms": Rule(ADMINS, denied_status=ROLE_DENIED),
    "inbound:form_create": Rule(ADMINS, denied_status=ROLE_DENIED),
    "inbound:form_detail": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=inquiry_form_kwargs),
    "inbound:form_edit": Rule(ADMINS, denied_status=ROLE_DENIED, kwargs=inquiry_form_kwargs),
    "inbound:public_form": Rule(frozenset(ROLES), anonymous_ok=True, kwargs=inquiry_form_key_kwargs),
    "inbound:public_token": Rule(frozenset(ROLES), anonymous_ok=True, kwargs=inquiry_form_key_kwargs),
    "inbound:public_submit": Rule(frozenset(ROLES), anonymous_ok=True, kwargs=inquiry_form_key_kwargs),
    "inbound:embed_js": Rule(frozenset(ROLES), anonymous_ok=True),
    # Notifications: each user's own; one of them is its recipient's only (others: 404).
    "notifications:list": Rule(EVERYONE),
    "notifications:count": Rule(EVERYONE),
    "notifications:read_all": Rule(EVERYONE),
    "notifications:open": Rule(frozenset({"owner"}), kwargs=notification_kwargs),
    # The REST API: each user's own tokens page; the docs for everyone signed in; the operations with a
    # token, under the screens' rules (lists hold only what the persona sees: tests/api). A POST is judged
    # by its JSON body first (the matrix's empty form body is a 400 for everyone, before any lookup);
    # tests/api checks that a valid write to an object outside the view is a 404.
    "api:tokens": Rule(EVERYONE),
    "api:token_revoke": Rule(frozenset({"owner"}), kwargs=api_token_kwargs),
    "api_v1:openapi-json": Rule(EVERYONE),
    "api_v1:openapi-view": Rule(EVERYONE),
    "api_v1:api-root": Rule(frozenset(), anonymous_ok=True),  # ninja's placeholder: 404 for everyone
    "api_v1:prospects": Rule(EVERYONE, api=True),
    "api_v1:prospect_create": Rule(EVERYONE, api=True),
    "api_v1:prospect": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs, api=True),
    "api_v1:prospect_update": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs, api=True),
    "api_v1:prospect_test_closing_create": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs, api=True),
    "api_v1:prospect_won": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs, api=True),
    "api_v1:prospect_lost": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs, api=True),
    "api_v1:prospect_test_closings": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs, api=True),
    "api_v1:prospect_activities": Rule(OBJECT_VIEWERS, kwargs=prospect_kwargs, api=True),
    "api_v1:activities": Rule(EVERYONE, api=True),
    "api_v1:activity": Rule(OBJECT_VIEWERS, kwargs=activity_kwargs, api=True),
    "api_v1:companies": Rule(EVERYONE, api=True),
    "api_v1:company": Rule(EVERYONE, kwargs=company_kwargs, api=True),
    "api_v1:contacts": Rule(EVERYONE, api=True),
    "api_v1:contact": Rule(EVERYONE, kwargs=contact_kwargs, api=True),
    "api_v1:targets": Rule(EVERYONE, api=True),
    "api_v1:alerts": Rule(EVERYONE, api=True),
    "api_v1:alert": Rule(OBJECT_VIEWERS, kwargs=api_alert_kwargs, api=True),
}


def _walk(patterns, namespace: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(p.url_patterns, full)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def project_url_names() -> list[str]:
    return sorted({n for n in _walk(get_resolver().url_patterns) if not n.startswith("admin:")})


def test_every_url_has_an_access_rule():
    missing = [name for name in project_url_names() if name not in RULES]
    assert missing == [], f"URLs without an access rule in tests/access/test_matrix.py: {missing}"


def test_no_rule_names_a_url_that_does_not_exist():
    assert sorted(set(RULES) - set(project_url_names())) == []


CASES = [
    (name, role, method)
    for name in project_url_names()
    if name in RULES
    for role in ROLES
    for method in ("GET", "POST")
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,role,method", CASES)
def test_access_matrix(personas, client, name, role, method):
    rule = RULES[name]
    kwargs = rule.kwargs(personas) if rule.kwargs else {}
    url = reverse(name, kwargs=kwargs)
    headers = {}
    if role != "anonymous":
        if rule.api:
            headers = api_headers(getattr(personas, role))
        else:
            client.force_login(getattr(personas, role))
    response = client.get(url, headers=headers) if method == "GET" else client.post(url, {}, headers=headers)
    status = response.status_code
    assert status != 500
    if rule.api and method == "POST" and role != "anonymous" and status == 400:
        return  # the empty form body refused before any lookup (see the API's rules above)
    if role == "anonymous" and rule.api:
        assert status in (401, 405), (name, method, status)
    elif role == "anonymous" and not rule.anonymous_ok:
        assert status == 302 and response["Location"].startswith(reverse("login")), (name, method, status)
    elif role in rule.allowed:
        # POST with an empty body: validation errors and "method not allowed" are fine, refusals are not.
        assert status not in (403, 404), (name, role, method, status)
    else:
        assert status in rule.denied_status | {405}, (name, role, method, status)


ADMIN_NAMES = sorted(
    {n for n in _walk(get_resolver().url_patterns) if n.startswith("admin:")}
    & {"admin:index", "admin:prospects_prospect_changelist", "admin:accounts_user_changelist"}
)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ADMIN_NAMES)
@pytest.mark.parametrize("role", ROLES)
def test_django_admin_is_for_admins_only(personas, client, name, role):
    if role != "anonymous":
        client.force_login(getattr(personas, role))
    response = client.get(reverse(name))
    if role in STAFF:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_access_prospect_answers_as_visible_to_for_every_role(personas):
    """The read behind every prospect page: the same prospects as visible_to, with the owner loaded,
    and 404 for the rest (and for inactive users)."""
    from django.http import Http404

    from prospects.models import Prospect
    from prospects.selectors import access_prospect
    from tests.conftest import make_prospect

    others = [
        make_prospect(personas.teammate),
        make_prospect(personas.outsider),
        make_prospect(personas.manager),
    ]
    for user in personas.all().values():
        visible = set(Prospect.objects.visible_to(user).values_list("pk", flat=True))
        for prospect in [personas.prospect, *others]:
            if prospect.pk in visible:
                found = access_prospect(user, prospect.pk)
                assert (found.pk, found.name, found.version) == (prospect.pk, prospect.name, prospect.version)
                assert (
                    found.owner == prospect.owner and found.owner.display_name == prospect.owner.display_name
                )
                assert found.updated_at == Prospect.objects.get(pk=prospect.pk).updated_at
            else:
                with pytest.raises(Http404):
                    access_prospect(user, prospect.pk)
    personas.owner.is_active = False
    with pytest.raises(Http404):
        access_prospect(personas.owner, personas.prospect.pk)


def test_visible_user_names_are_visible_users_in_their_order_for_every_role(personas):
    """The owner filter's read of the names only: the same users as visible_users, in the same order,
    with the names the options show."""
    from accounts.access import visible_user_names, visible_users
    from tests.conftest import make_user

    make_user("zz_late", last_name="安藤")  # an outsider: only an admin sees them
    personas.team.members.add(make_user("aa_early", last_name="渡辺", first_name="花子"))
    for user in personas.all().values():
        fast = visible_user_names(user)
        expected = list(visible_users(user))
        assert [(u.pk, u.display_name, u.is_active) for u in fast] == [
            (u.pk, u.display_name, u.is_active) for u in expected
        ]
