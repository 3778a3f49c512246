"""Server time, SQL queries and response size of each registered page, in-process with django.test.Client.

The timed span is the whole client.get/post (middleware, view, template): the Client is logged in once per
persona. Queries are counted on one extra request, outside the timed ones (capturing queries slows them).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch

from bench.datagen import Dataset
from bench.pages import Page


@dataclass
class PageResult:
    name: str
    persona: str
    method: str
    url: str = ""
    available: bool = True
    error: str = ""
    status: int | None = None
    requests: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    queries: int | None = None
    bytes: int | None = None

    @property
    def ok(self) -> bool:
        return self.available and not self.error

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: with 200 samples p99 is the second-slowest)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


class Clients:
    """One logged-in django.test.Client per persona (force_login once)."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._clients: dict[str, Client] = {}

    def __getitem__(self, persona: str) -> Client:
        if persona not in self._clients:
            from accounts.models import User

            client = Client()
            client.force_login(User.objects.get(pk=self.dataset.persona_id(persona)))
            self._clients[persona] = client
        return self._clients[persona]


def _request(client: Client, page: Page, url: str, dataset: Dataset, *, capture: bool = False):
    data = page.data(dataset) if page.data else None
    headers = {"HX-Request": "true"} if page.htmx else {}
    if page.headers:
        headers.update(page.headers(dataset))
    send = client.post if page.method == "POST" else client.get
    if capture:
        with CaptureQueriesContext(connection) as ctx:
            response = send(url, data, headers=headers)
        return response, len(ctx.captured_queries)
    started = time.perf_counter()
    response = send(url, data, headers=headers)
    return response, time.perf_counter() - started


def _prepare(page: Page, dataset: Dataset, clients: Clients, warmup: int) -> PageResult:
    """Resolve the URL, warm the page up, count its queries on one request and check its status."""
    result = PageResult(page.name, page.persona, page.method)
    try:
        result.url = page.url(dataset)
    except NoReverseMatch as exc:
        result.available = False
        result.error = f"not available yet ({str(exc).split('.')[0]})"
        return result
    client = clients[page.persona]
    try:
        for _ in range(warmup):
            _request(client, page, result.url, dataset)
        response, result.queries = _request(client, page, result.url, dataset, capture=True)
    except Exception as exc:  # a broken page is a finding to report, not a reason to stop the run
        result.error = f"{type(exc).__name__}: {exc}"[:300]
        return result
    result.status = response.status_code
    result.bytes = len(response.content)
    if response.status_code not in page.ok_statuses:
        result.error = f"HTTP {response.status_code}: {response.content[:200]!r}"
    return result


def measure_pages(
    pages: list[Page], dataset: Dataset, clients: Clients, *, requests: int, warmup: int
) -> list[PageResult]:
    """Time every page in rounds (one request to each page per round), not page after page: the load
    of a shared machine drifts, and rounds spread that drift over all pages and the baseline alike."""
    results = [_prepare(page, dataset, clients, warmup) for page in pages]
    active = [(page, result) for page, result in zip(pages, results, strict=True) if result.ok]
    times: dict[str, list[float]] = {page.name: [] for page, _ in active}
    for _ in range(requests):
        for page, result in active:
            if not result.ok:
                continue
            try:
                response, elapsed = _request(clients[page.persona], page, result.url, dataset)
            except Exception as exc:
                result.error = f"{type(exc).__name__}: {exc}"[:300]
                continue
            if response.status_code not in page.ok_statuses:
                result.error = f"HTTP {response.status_code} during the timed requests"
                continue
            times[page.name].append(elapsed * 1000)
    for page, result in active:
        samples = times[page.name]
        if result.ok and samples:
            result.requests = len(samples)
            result.p50_ms = round(percentile(samples, 50), 2)
            result.p95_ms = round(percentile(samples, 95), 2)
            result.p99_ms = round(percentile(samples, 99), 2)
    return results


def measure_page(page: Page, dataset: Dataset, clients: Clients, *, requests: int, warmup: int) -> PageResult:
    return measure_pages([page], dataset, clients, requests=requests, warmup=warmup)[0]
