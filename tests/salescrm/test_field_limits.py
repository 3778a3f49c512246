"""Every text input with a maxlength shows its limit (the browser would cut a longer value silently)."""

import re

import pytest
from django.utils import translation

from closing.forms import AnnotationForm
from prospects.forms import ProspectFilterForm, ProspectForm
from prospects.models import Prospect

pytestmark = pytest.mark.django_db


def _limit_after(html: str, field_id: str) -> str | None:
    """The limit note written right after the field with this id, or None."""
    match = re.search(
        rf'id="{field_id}"[^>]*>\s*(?:</textarea>)?<small class="help limit"[^>]*>([^<]*)<', html
    )
    return match.group(1) if match else None


def test_each_text_field_of_the_prospect_form_shows_the_model_fields_limit(personas):
    form = ProspectForm(user=personas.owner)
    with translation.override("ja"):
        html = str(form["name"]) + str(form["address"]) + str(form["email"])
    assert _limit_after(html, "id_name") == f"最大{Prospect._meta.get_field('name').max_length}文字"
    assert _limit_after(html, "id_address") == "最大300文字"
    assert _limit_after(html, "id_email") == f"最大{Prospect._meta.get_field('email').max_length}文字"
    with translation.override("en"):
        assert _limit_after(str(form["name"]), "id_name") == "Up to 200 characters"


def test_a_textarea_with_a_limit_shows_it_and_one_without_shows_nothing(personas):
    with translation.override("ja"):
        assert _limit_after(str(AnnotationForm()["text"]), "id_text") == "最大2000文字"
        assert "limit" not in str(ProspectForm(user=personas.owner)["notes"])


def test_a_search_box_is_left_without_a_limit_note(personas):
    html = str(ProspectFilterForm(user=personas.owner)["q"])
    assert 'maxlength="100"' in html and "limit" not in html
