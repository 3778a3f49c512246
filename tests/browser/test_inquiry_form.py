"""Issue 21's flow: an admin creates a web inquiry form (反響フォーム) and allows the company's site; an
anonymous visitor fills it in on that site (a static page on another origin that embeds the snippet);
the rep it is assigned to finds the new prospect in the bell."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from inbound.models import Inquiry, InquiryForm
from notifications.models import Notification
from prospects.models import Prospect
from tests.browser import support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def company_site(tmp_path: Path):
    """The company's own website: a static server on another port (another origin) serving tmp_path."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    server.shutdown()
    server.server_close()


def test_a_visitor_on_the_companys_site_becomes_a_prospect_in_the_reps_bell(
    app, crm, open_page, company_site, settings
):
    settings.INBOUND_MIN_FILL_SECONDS = 1
    site, folder = company_site
    # The admin creates the form and allows the company's site.
    admin = open_page(crm.admin, viewport=support.DESKTOP)
    admin.goto(f"{app}/inbound/forms/")
    admin.get_by_role("link", name="フォームを追加").click()
    admin.get_by_label("フォーム名").fill("ホームページ問い合わせ")
    admin.get_by_label("プライバシーポリシーのURL").fill("https://www.example.co.jp/privacy")
    admin.get_by_label("送信完了メッセージ").fill(
        "お問い合わせありがとうございました。担当者よりご連絡します。"
    )
    admin.locator("#id_team").select_option(label=crm.team.name)
    admin.get_by_label("埋め込みを許可するサイト").fill(site)
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator("h1")).to_have_text("ホームページ問い合わせ")
    snippet = admin.locator("#snippet-ja").input_value()
    assert "data-salescrm-inquiry" in snippet
    form = InquiryForm.objects.get()
    assert form.origins == {site}

    # The company pastes the snippet into its page.
    (folder / "contact.html").write_text(
        '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>お問い合わせ</title></head>'
        f"<body><h1>お問い合わせ</h1>{snippet}</body></html>",
        encoding="utf-8",
    )
    visitor = open_page(None, viewport=support.PHONE)
    visitor.goto(f"{site}/contact.html")
    embedded = visitor.locator("form[data-salescrm-inquiry]")
    expect(embedded).to_have_attribute("data-salescrm-token", "1")  # the token came through CORS
    embedded.get_by_label("会社名").fill("株式会社ブラウザ建設")
    embedded.get_by_label("お名前").fill("鈴木 一郎")
    embedded.get_by_label("フリガナ").fill("スズキ イチロウ")
    embedded.get_by_label("電話番号").fill("03-9876-5432")
    embedded.get_by_label("メールアドレス").fill("ichiro@browser.example.jp")
    embedded.get_by_label("お問い合わせ内容").fill("外壁の見積もりをお願いします。")
    embedded.get_by_label("個人情報の取り扱いに同意します").check()
    visitor.wait_for_timeout(1200)  # a person takes longer than the minimum fill time
    embedded.get_by_role("button", name="送信").click()
    # The thank-you text replaces the form on the company's page: the visitor never leaves it.
    expect(visitor.locator("[data-salescrm-thanks]")).to_have_text(
        "お問い合わせありがとうございました。担当者よりご連絡します。"
    )
    assert visitor.url == f"{site}/contact.html"

    inquiry = Inquiry.objects.get()
    prospect = Prospect.objects.get(inquiry=inquiry)
    assert prospect.owner_id == min(crm.owner.pk, crm.teammate.pk)  # round robin: the first rep
    assert Notification.objects.filter(recipient_id=prospect.owner_id).count() == 1

    # The assigned rep sees it in the bell and opens the prospect from there.
    rep = open_page(prospect.owner)
    rep.goto(f"{app}/")
    bell = rep.locator("details.bell")
    expect(bell.locator("#notification-count")).to_have_text("1")
    bell.locator("summary").click()
    item = rep.locator("#bell-notifications .notification-item", has_text="株式会社ブラウザ建設")
    expect(item).to_be_visible()
    item.click()
    expect(rep.locator("h1")).to_contain_text("株式会社ブラウザ建設")
    rep.goto(f"{app}/")
    expect(rep.locator("#notification-count")).to_have_text("0")
