"""The question library: admins add, edit, retire; a used question is never deleted."""

import pytest
from django.contrib.messages import get_messages
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import translation

from closing import services
from closing.models import TestClosingQuestion

pytestmark = pytest.mark.django_db


def test_an_admin_adds_a_question(personas, client):
    client.force_login(personas.admin)
    response = client.post(
        reverse("closing:question_create"),
        {"text_ja": "お支払い方法はどうされますか?", "text_en": "How would you pay?", "kind": "decision"},
    )
    assert response.status_code == 302
    assert TestClosingQuestion.objects.filter(
        text_ja="お支払い方法はどうされますか?", kind="decision"
    ).exists()


def test_a_question_without_japanese_text_or_with_a_bad_kind_is_refused(personas, client):
    client.force_login(personas.admin)
    response = client.post(
        reverse("closing:question_create"), {"text_ja": "  ", "text_en": "x", "kind": "mood"}
    )
    assert response.status_code == 422
    assert {"text_ja", "kind"} <= set(response.context["form"].errors)


def test_an_admin_edits_and_retires_a_question(personas, client):
    q = TestClosingQuestion.objects.create(text_ja="旧", text_en="old", kind="price")
    client.force_login(personas.admin)
    client.post(
        reverse("closing:question_edit", args=[q.pk]), {"text_ja": "新", "text_en": "new", "kind": "timing"}
    )
    client.post(reverse("closing:question_retire", args=[q.pk]), {"retired": "1"})
    q.refresh_from_db()
    assert (q.text_ja, q.kind, q.is_retired) == ("新", "timing", True)
    client.post(reverse("closing:question_retire", args=[q.pk]), {"retired": "0"})
    q.refresh_from_db()
    assert q.is_retired is False


def test_an_unused_question_can_be_deleted(personas, client):
    q = TestClosingQuestion.objects.create(text_ja="未使用", text_en="unused", kind="price")
    client.force_login(personas.admin)
    client.post(reverse("closing:question_delete", args=[q.pk]))
    assert not TestClosingQuestion.objects.filter(pk=q.pk).exists()


def test_a_used_question_is_never_deleted_and_the_admin_is_told_why(personas, client):
    q = TestClosingQuestion.objects.create(text_ja="使用済み", text_en="used", kind="price")
    services.test_closing_log(
        prospect=personas.prospect,
        by=personas.owner,
        question=q,
        question_text="",
        answer="a",
        reading="positive",
    )
    client.force_login(personas.admin)
    response = client.post(reverse("closing:question_delete", args=[q.pk]))
    assert response.status_code == 302
    assert TestClosingQuestion.objects.filter(pk=q.pk).exists()
    with translation.override("ja"):
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            str(services.QUESTION_IN_USE_MESSAGE)
        ]
    with pytest.raises(ProtectedError):
        q.delete()


def test_the_django_admin_refuses_to_delete_a_used_question(personas, client):
    q = TestClosingQuestion.objects.create(text_ja="使用済み", text_en="used", kind="price")
    services.test_closing_log(
        prospect=personas.prospect,
        by=personas.owner,
        question=q,
        question_text="",
        answer="a",
        reading="positive",
    )
    from accounts.models import User

    client.force_login(User.objects.create_superuser("root", "root@example.jp", "pw-root"))
    response = client.post(reverse("admin:closing_testclosingquestion_delete", args=[q.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert TestClosingQuestion.objects.filter(pk=q.pk).exists()
    response = client.get(reverse("admin:closing_testclosingquestion_change", args=[q.pk]))
    assert response.status_code == 200


def test_the_nav_links_to_the_closing_pages(personas, client):
    client.force_login(personas.owner)
    body = client.get(reverse("home")).content.decode()
    assert reverse("closing:waiting") in body and reverse("closing:statistics") in body
    assert reverse("closing:questions") not in body
    client.force_login(personas.admin)
    assert reverse("closing:questions") in client.get(reverse("home")).content.decode()
