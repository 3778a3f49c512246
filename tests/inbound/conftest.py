from __future__ import annotations

import time

import pytest

from inbound.guard import fill_token
from inbound.models import Assignment, InquiryForm

SITE = "https://www.example.co.jp"


@pytest.fixture
def inquiry_form(personas) -> InquiryForm:
    return InquiryForm.objects.create(
        name="資料請求",
        asked_fields=["company", "name", "furigana", "phone", "email", "message", "product", "consent"],
        products="外壁塗装\n屋根修理",
        privacy_policy_url="https://www.example.co.jp/privacy",
        thank_you_text="お問い合わせありがとうございました。",
        team=personas.team,
        assignment=Assignment.ROUND_ROBIN,
        allowed_origins=SITE,
    )


def aged_token(form: InquiryForm, seconds: float = 10) -> str:
    """A token handed out `seconds` ago (a person who took that long to fill the form in)."""
    return fill_token(form, now=time.time() - seconds)


def submission(form: InquiryForm, **extra) -> dict:
    data = {
        "lang": "ja",
        "ts": aged_token(form),
        "company": "株式会社テスト",
        "name": "山田 花子",
        "furigana": "ヤマダ ハナコ",
        "phone": "03-1234-5678",
        "email": "hanako@example.jp",
        "message": "見積もりをお願いします。",
        "product": "外壁塗装",
        "consent": "on",
        "website": "",
    }
    data.update(extra)
    return data
