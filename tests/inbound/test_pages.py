"""The admins' form pages, the public page and the snippet, in Japanese and English."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from inbound.models import Assignment, InquiryForm
from tests.inbound.conftest import SITE, submission

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_form_and_gets_its_public_url_and_snippets(personas, client):
    client.force_login(personas.admin)
    response = client.post(
        reverse("inbound:form_create"),
        {
            "name": "Website",
            "is_active": "on",
            "asked_fields": ["company", "email", "consent"],
            "privacy_policy_url": "https://www.example.co.jp/privacy",
            "thank_you_text": "Thank you.",
            "team": personas.team.pk,
            "assignment": Assignment.MANAGER,
            "allowed_origins": "https://www.example.co.jp/\nhttp://localhost:8080",
        },
    )
    form = InquiryForm.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inbound:form_detail", args=[form.pk]
    )
    assert form.asked == ["company", "name", "email", "consent"]  # the name always
    assert form.origins == {"https://www.example.co.jp", "http://localhost:8080"}
    page = client.get(response["Location"]).content.decode()
    assert f"/inbound/f/{form.key}/" in page
    assert page.count("data-salescrm-inquiry") == 2  # one snippet per language
    assert "?lang=ja" in page and "?lang=en" in page and "embed.js" in page


@pytest.mark.parametrize(
    "change,field",
    [
        ({"allowed_origins": "www.example.co.jp"}, "allowed_origins"),
        ({"allowed_origins": "https://x.example/path"}, "allowed_origins"),
        ({"privacy_policy_url": ""}, "privacy_policy_url"),  # the consent is asked
        ({"thank_you_text": ""}, "thank_you_text"),
    ],
)
def test_a_bad_form_setting_is_a_form_error(personas, client, change, field):
    client.force_login(personas.admin)
    data = {
        "name": "x",
        "asked_fields": ["consent"],
        "privacy_policy_url": "https://www.example.co.jp/privacy",
        "thank_you_text": "ok",
        "team": personas.team.pk,
        "assignment": Assignment.ROUND_ROBIN,
    } | change
    response = client.post(reverse("inbound:form_create"), data)
    assert response.status_code == 422 and field in response.context["form"].errors
    assert not InquiryForm.objects.exists()


def test_reps_and_managers_cannot_reach_the_admin_pages(personas, client, inquiry_form):
    for who in (personas.owner, personas.manager):
        client.force_login(who)
        assert client.get(reverse("inbound:forms")).status_code == 403
        assert client.get(reverse("inbound:form_detail", args=[inquiry_form.pk])).status_code == 403


def test_the_public_page_follows_the_embedding_sites_language(personas, client, inquiry_form):
    ja = client.get(reverse("inbound:public_form", args=[inquiry_form.key]) + "?lang=ja").content.decode()
    en = client.get(reverse("inbound:public_form", args=[inquiry_form.key]) + "?lang=en").content.decode()
    assert 'lang="ja"' in ja and "送信" in ja
    assert 'lang="en"' in en and ">Send<" in en
    by_header = client.get(
        reverse("inbound:public_form", args=[inquiry_form.key]), headers={"Accept-Language": "en-US,en;q=0.9"}
    ).content.decode()
    assert 'lang="en"' in by_header
    # The page carries a token and no CSRF cookie is set (nothing of a session for a visitor).
    assert re.search(r'name="ts" value="[^"]+"', ja)
    assert "csrftoken" not in client.cookies and "sessionid" not in client.cookies


def test_an_error_answers_in_the_language_the_snippet_says(personas, client, inquiry_form):
    url = reverse("inbound:public_submit", args=[inquiry_form.key])
    headers = {"Origin": SITE, "Accept": "application/json"}
    en = client.post(url + "?lang=en", submission(inquiry_form, ts="", lang="en"), headers=headers).json()
    ja = client.post(url + "?lang=ja", submission(inquiry_form, ts="", lang="ja"), headers=headers).json()
    assert en["reason"].startswith("This form has expired")
    assert ja["reason"] != en["reason"] and "フォーム" in ja["reason"]


def test_the_token_endpoint_and_the_script_answer_cross_origin(personas, client, inquiry_form):
    token = client.get(reverse("inbound:public_token", args=[inquiry_form.key]), headers={"Origin": SITE})
    assert token.status_code == 200 and token.json()["token"] and token["Access-Control-Allow-Origin"] == SITE
    assert "no-store" in token["Cache-Control"]
    other = client.get(
        reverse("inbound:public_token", args=[inquiry_form.key]), headers={"Origin": "https://x.example"}
    )
    assert "Access-Control-Allow-Origin" not in other
    script = client.get(reverse("inbound:embed_js"))
    assert script.status_code == 200 and script["Content-Type"].startswith("text/javascript")
    assert b"data-salescrm-inquiry" in script.content
