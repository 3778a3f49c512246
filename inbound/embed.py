"""The embed script at a stable URL (a pasted snippet cannot follow the static files' hashed names)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

SCRIPT = Path(__file__).parent / "assets" / "embed.js"


@cache
def _script() -> bytes:
    return SCRIPT.read_bytes()


@require_GET
def embed_js(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_script(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
