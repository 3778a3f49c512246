from __future__ import annotations

import json

import pytest

from api.models import TokenScope
from api.services import token_create


class ApiClient:
    """Django's test client with a personal API token of `user` in every request."""

    def __init__(self, client, user, scope: str = TokenScope.WRITE) -> None:
        self.client = client
        self.token, self.text = token_create(user=user, name="tests", scope=scope)
        self.headers = {"Authorization": f"Bearer {self.text}"}

    def get(self, path: str, data: dict | None = None):
        return self.client.get(path, data or {}, headers=self.headers)

    def post(self, path: str, body: dict):
        return self.client.post(path, json.dumps(body), content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: dict):
        return self.client.patch(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api_as(client):
    def _make(user, scope: str = TokenScope.WRITE) -> ApiClient:
        return ApiClient(client, user, scope)

    return _make
