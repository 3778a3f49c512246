"""The list's filter form (Django's widgets) and its rows (a Jinja2 partial): the markup, in both
languages, with errors and odd values."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from activities.selectors import next_activity_columns
from prospects.forms import ProspectFilterForm
from prospects.models import Prospect
from tests.conftest import make_prospect, make_user

pytestmark = pytest.mark.django_db

# The row as list.html wrote it through the template engine before the rows moved to Python.
# The next action is the next planned activity (issue 18), annotated by prospect_list_queryset.
ROW_TEMPLATE = """{% get_current_language as LANGUAGE_CODE %}{% for p in rows %}<tr>
        {% if bulk %}<td class="select">{% if p.is_open %}<input type="checkbox" name="selected" value="{{ p.pk }}:{{ p.version }}" form="bulk-form" aria-label="{% blocktranslate with name=p.name %}Select {{ name }}{% endblocktranslate %}">{% endif %}</td>{% endif %}
        <td data-label="{% translate 'Prospect name' %}"><a href="{% url 'prospects:detail' p.pk %}">{{ p.name }}</a></td>
        <td data-label="{% translate 'Owner' %}">{{ p.owner.display_name }}</td>
        <td data-label="{% translate 'Horizon' %}"><span class="badge horizon-{{ p.horizon }}">{{ p.get_horizon_display }}</span></td>
        <td data-label="{% translate 'Probability' %}">{{ p.probability|percent }}</td>
        <td data-label="{% translate 'Expected month' %}" class="{% if p.is_month_passed %}overdue{% endif %}">{{ p.expected_month|month|default:"—" }}</td>
        <td data-label="{% translate 'Amount' %}" class="num">{{ p.amount|money }}</td>
        <td data-label="{% translate 'Source' %}">{{ p.get_source_display }}</td>
        <td data-label="{% translate 'Status' %}">{{ p.get_status_display }}</td>
        <td data-label="{% translate 'Next action' %}" class="{% if p.is_action_overdue %}overdue{% endif %}">{% if p.next_activity_at %}{% if LANGUAGE_CODE == "en" %}{{ p.next_activity_kind_en }}{% else %}{{ p.next_activity_kind_ja }}{% endif %}{% if p.next_activity_subject %}: {{ p.next_activity_subject }}{% endif %} ({{ p.next_activity_at|date:"SHORT_DATE_FORMAT" }}){% elif p.is_open %}<span class="badge nothing-planned">{% translate "Nothing planned" %}</span>{% else %}—{% endif %}</td>
      </tr>{% endfor %}"""


def _squash(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def _same_quotes(html: str) -> str:
    """The rows are a Jinja2 partial (prospects/_list_rows.html): it escapes a quote as &#34; / &#39;
    where Django writes &quot; / &#x27; (the same characters)."""
    return html.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")


@pytest.fixture
def odd(personas):
    """Prospects with values that need escaping, empty fields, overdue dates, a closed one, USD."""
    today = timezone.localdate()
    weird = make_user("weird", first_name="<b>&", last_name='"O\'Hara"')
    personas.team.members.add(weird)
    make_prospect(
        weird,
        name='<script>alert("x")</script> & Co',
        next_activity="call <back> & 'confirm'",
        next_activity_on=today - dt.timedelta(days=3),
        expected_month=dt.date(2020, 1, 1),
        amount=Decimal("1234.5"),
        horizon="short",
        source="referral",
    )
    make_prospect(personas.owner, name="Empty", next_activity="", probability=0, amount=Decimal("0"))
    make_prospect(
        personas.owner,
        name="Closed",
        status="won",
        closed_on=today,
        won_amount=1,
        expected_month=dt.date(2020, 1, 1),
        next_activity="x",
        next_activity_on=today - dt.timedelta(days=1),
    )
    return personas


def _filter_fields(form) -> str:
    return engines["django"].get_template("_filter_fields.html").render({"form": form})


def test_the_filter_fields_keep_their_values_and_show_their_errors(odd):
    data = QueryDict(mutable=True)
    data.update({"q": 'a<b"&', "source": "bogus", "month_from": "2026-13", "status": "open"})
    form = ProspectFilterForm(data, user=odd.manager, owners=[odd.teammate])
    assert not form.is_valid()
    html = _filter_fields(form)
    assert 'value="a&lt;b&quot;&amp;"' in html
    assert html.count('class="errorlist"') == 2 and 'aria-invalid="true"' in html
    assert '<div class="filter filter-owner"><label for="id_owner">' in html


def test_the_owner_options_come_from_the_list_the_view_passes(odd):
    owners = [odd.teammate]
    form = ProspectFilterForm(QueryDict("status=open"), user=odd.manager, owners=owners)
    with CaptureQueriesContext(connection) as queries:
        html = _filter_fields(form)
    assert f'<option value="{odd.teammate.pk}">' in html and f'value="{odd.owner.pk}"' not in html
    assert not queries.captured_queries


def test_a_chosen_owner_outside_the_list_is_refused(odd):
    form = ProspectFilterForm(QueryDict(f"owner={odd.outsider.pk}"), user=odd.manager, owners=[odd.teammate])
    assert not form.is_valid() and "owner" in form.errors


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("who,query", [("owner", {"status": ""}), ("manager", {}), ("admin", {"status": ""})])
def test_the_rows_are_the_markup_the_row_template_wrote(odd, client, who, query, language):
    client.force_login(getattr(odd, who))
    client.cookies["django_language"] = language
    response = client.get(reverse("prospects:list"), query)
    body = response.content.decode()
    # The template rendered the page's prospects as model instances: the same ones, in the page's order.
    shown = [row.pk for row in response.context["page"].object_list]
    by_pk = Prospect.objects.select_related("owner").annotate(**next_activity_columns()).in_bulk(shown)
    rows = [by_pk[pk] for pk in shown]
    assert rows
    with translation.override(language):
        # A manager's and an admin's rows start with the bulk change's tick box (open rows only).
        bulk = who in ("manager", "admin")
        expected = engines["django"].from_string(ROW_TEMPLATE).render({"rows": rows, "bulk": bulk})
    tbody = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert _same_quotes(_squash(tbody)) == _squash(expected)
    assert "&lt;script&gt;" in body or who == "owner"


def test_a_manager_lists_exactly_what_visible_to_allows(odd, client):
    """The view passes the manager's visible owners as a list instead of visible_to's subquery."""
    other_team_member = make_user()
    odd.other_team.members.add(other_team_member)
    make_prospect(other_team_member, name="Not theirs")
    make_prospect(odd.outsider, name="Outsider")
    odd.other_team.members.add(odd.teammate)  # in two teams: listed once
    make_prospect(odd.teammate, name="Teammate's")
    make_prospect(odd.manager, name="Manager's own")
    client.force_login(odd.manager)
    response = client.get(reverse("prospects:list"), {"status": ""})
    listed = [p.pk for p in response.context["page"].object_list]
    expected = set(Prospect.objects.visible_to(odd.manager).values_list("pk", flat=True))
    assert len(listed) == len(set(listed)) and set(listed) == expected
    assert response.context["page"].paginator.count == len(expected)
    names = {p.name for p in response.context["page"].object_list}
    assert {"Teammate's", "Manager's own"} <= names and not {"Not theirs", "Outsider"} & names
