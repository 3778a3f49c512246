"""A small load generator for the fault scenarios: one thread per simulated user, each with its own
cookie jar, logged in once through the real login form (CSRF included). Loopback only, bounded in
count and time. Every request is recorded (start time, latency, action, outcome); successful writes
are recorded too, so that the caller can check they survived a fault."""

from __future__ import annotations

import http.cookiejar
import random
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser

TIMEOUT = 30.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class FormParser(HTMLParser):
    """The fields of every <form method=post> on a page (browser rules for the values sent)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._form: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self._form.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self._form[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._form[name] = ""

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_fields(html: str, having: str) -> dict[str, str]:
    """The first POST form with a field named `having`."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if having in form:
            return form
    return {}


@dataclass
class Result:
    start: float  # time.monotonic()
    latency: float
    action: str
    status: int  # 0 = no response (connection error, timeout)
    ok: bool
    error: str = ""


class UserSession:
    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.username = username
        self.password = password
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.cards: dict[int, int] = {}  # prospect id -> version seen on the board

    def csrf(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def request(self, method: str, path: str, data: dict | None = None, htmx: bool = False):
        """(status, body, headers); status 0 with the error text when no response came."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method)
        if method == "POST":
            req.add_header("X-CSRFToken", self.csrf())
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        if htmx:
            req.add_header("HX-Request", "true")
        try:
            with self.opener.open(req, timeout=TIMEOUT) as response:
                return response.status, response.read().decode("utf-8", "replace"), response.headers
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", "replace") if exc.fp else ""
            return exc.code, text, exc.headers
        except Exception as exc:  # connection refused/reset, timeout
            return 0, f"{type(exc).__name__}: {exc}", {}

    def login(self) -> None:
        status, html, _ = self.request("GET", "/accounts/login/")
        fields = form_fields(html, "username")
        fields.update(username=self.username, password=self.password)
        status, body, _headers = self.request("POST", "/accounts/login/", fields)
        if status != 302:
            raise RuntimeError(f"login of {self.username} failed: {status} {body[:300]}")


@dataclass
class Recorder:
    results: list[Result] = field(default_factory=list)
    created: list[tuple[int, str]] = field(default_factory=list)  # (id, name) acknowledged
    edited: list[tuple[int, str]] = field(default_factory=list)  # (id, notes marker) acknowledged
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, result: Result) -> None:
        with self.lock:
            self.results.append(result)


CARD = re.compile(r'id="card-(\d+)" data-horizon="(\w+)" data-version="(\d+)"')
HORIZONS = ["short", "mid", "long"]


class Actions:
    """Each action performs one or two requests and records them."""

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec

    def _do(self, s: UserSession, action: str, method: str, path: str, data=None, ok=(200,), htmx=False):
        t0 = time.monotonic()
        status, body, headers = s.request(method, path, data, htmx=htmx)
        latency = time.monotonic() - t0
        good = status in ok
        self.rec.add(Result(t0, latency, action, status, good, "" if good else body[:200]))
        return status, body, headers

    def board(self, s: UserSession) -> None:
        status, body, _ = self._do(s, "board", "GET", "/pipeline/")
        if status == 200:
            s.cards = {int(pk): int(v) for pk, _h, v in CARD.findall(body)}

    def prospect_list(self, s: UserSession) -> None:
        query = random.choice(
            ["", "?horizon=short", "?horizon=mid&status=open", "?q=%E5%95%86%E4%BA%8B", "?source=inbound"]
        )
        self._do(s, "list", "GET", "/prospects/" + query)

    def health(self, s: UserSession) -> None:
        """The health endpoint answers quickly, 503 while the broker is away."""
        self._do(s, "health", "GET", "/health/", ok=(200, 503))

    def export_csv(self, s: UserSession) -> None:
        self._do(s, "export", "GET", "/prospects/?export=csv&status=open")

    def _pick(self, s: UserSession) -> int | None:
        if not s.cards:
            self.board(s)
        return random.choice(list(s.cards)) if s.cards else None

    def edit(self, s: UserSession) -> None:
        """The prospect edit form: GET it, change probability and notes, POST it (302)."""
        pk = self._pick(s)
        if pk is None:
            return
        status, html, _ = self._do(s, "edit form", "GET", f"/prospects/{pk}/edit/")
        if status != 200:
            return
        fields = form_fields(html, "name")
        marker = f"faults-{uuid.uuid4().hex[:12]}"
        fields.update(probability=str(random.randint(5, 95)), notes=marker)
        status, _body, _headers = self._do(
            s, "edit save", "POST", f"/prospects/{pk}/edit/", fields, ok=(302, 409)
        )
        if status == 302:
            with self.rec.lock:
                self.rec.edited.append((pk, marker))

    def move(self, s: UserSession) -> None:
        """The board's drag-and-drop POST (htmx) with the version seen on the board."""
        pk = self._pick(s)
        if pk is None:
            return
        data = {"horizon": random.choice(HORIZONS), "version": s.cards[pk]}
        status, body, _ = self._do(
            s, "board move", "POST", f"/pipeline/cards/{pk}/move/", data, (200, 409), True
        )
        found = CARD.search(body) if status in (200, 409) else None
        if found:
            s.cards[pk] = int(found.group(3))
        elif status != 0:
            s.cards.pop(pk, None)

    def create(self, s: UserSession) -> None:
        name = f"負荷試験商事 {uuid.uuid4().hex[:10]}"
        data = {
            "name": name,
            "source": random.choice(["inbound", "referral", "exhibition"]),
            "horizon": random.choice(HORIZONS),
            "probability": str(random.randint(5, 90)),
            "amount": str(random.randint(1, 90) * 100_000),
            "expected_month": "2027-03",
        }
        status, _body, headers = self._do(s, "create", "POST", "/prospects/new/", data, ok=(302,))
        if status == 302:
            found = re.search(r"/prospects/(\d+)/", headers.get("Location", ""))
            if found:
                with self.rec.lock:
                    self.rec.created.append((int(found.group(1)), name))


MIXES = {
    # Page views and saves (the Redis scenarios): saves enqueue the pipeline check after the commit.
    "pages_and_saves": [("board", 3), ("prospect_list", 3), ("edit", 3), ("move", 2), ("health", 1)],
    # Writes that must survive a database restart.
    "writes": [("create", 3), ("edit", 3), ("prospect_list", 2), ("board", 2)],
    # The steady realistic mix.
    "realistic": [
        ("prospect_list", 5),
        ("board", 4),
        ("move", 3),
        ("edit", 2),
        ("create", 1),
        ("export_csv", 1),
    ],
}


def run_load(
    sessions: list[UserSession],
    *,
    duration: float,
    mix: str,
    think: tuple[float, float] = (2.0, 5.0),
    events: list[tuple[float, callable]] | None = None,
) -> Recorder:
    """Run `mix` with one thread per session for `duration` seconds. `events` are (offset seconds,
    callable) run by the main thread while the load goes on (the faults). Returns the recorder; its
    `t0` attribute is the start time."""
    rec = Recorder()
    actions = Actions(rec)
    names, weights = zip(*MIXES[mix], strict=True)
    stop = threading.Event()

    def user_loop(s: UserSession) -> None:
        time.sleep(random.uniform(0, think[1]))
        while not stop.is_set():
            getattr(actions, random.choices(names, weights)[0])(s)
            stop.wait(random.uniform(*think))

    threads = [threading.Thread(target=user_loop, args=(s,), daemon=True) for s in sessions]
    rec.t0 = time.monotonic()
    for t in threads:
        t.start()
    rec.marks = {}
    for offset, fn in sorted(events or [], key=lambda e: e[0]):
        delay = rec.t0 + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        rec.marks[fn.__name__] = time.monotonic()
        fn()
    remaining = rec.t0 + duration - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
    stop.set()
    for t in threads:
        t.join(timeout=TIMEOUT + 5)
    return rec


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(results: list[Result]) -> dict:
    latencies = [r.latency for r in results]
    t0 = min((r.start for r in results), default=0.0)
    failed = [r for r in results if not r.ok]
    return {
        "requests": len(results),
        "failed": len(failed),
        "error_rate": (len(failed) / len(results) * 100) if results else 0.0,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": max(latencies, default=0.0),
        "mean": statistics.fmean(latencies) if latencies else 0.0,
        "samples": [f"{r.action} {r.status} {r.error[:120]}" for r in failed[:5]],
        "slowest": [
            f"{r.action} {r.latency:.2f}s at +{r.start - t0:.1f}s"
            for r in sorted(results, key=lambda r: -r.latency)[:6]
        ],
        "by_action": {
            a: f"n={len(v)} p50={percentile(v, 50):.2f} max={max(v):.2f}"
            for a in sorted({r.action for r in results})
            for v in [[r.latency for r in results if r.action == a]]
        },
    }
