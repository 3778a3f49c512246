"""The API's documentation page (Swagger UI, vendored by django-ninja) runs under the site's Content
Security Policy: it draws the operations of the schema, with no blocked script or style and no JS error
(the browser fixtures fail a test on either)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_page_draws_the_operations_under_the_csp(app, crm, open_page):
    page = open_page(crm.admin, viewport=support.DESKTOP)
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )
    response = page.goto(f"{app}/api/v1/docs")
    assert response is not None and response.status == 200
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15_000)
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/prospects")
    assert blocked == []
