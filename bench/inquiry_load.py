"""The web inquiry form under a steady load: RATE submissions a second for SECONDS seconds against the app
under gunicorn (bench.throughput.Gunicorn), each from its own address (X-Forwarded-For, as the reverse
proxy sets it) so that the per-address limit is not what is measured. Open loop: submission i is sent at
t0 + i / RATE whatever the earlier ones are doing, by a pool of threads. Then every accepted submission
must be in the database, made a prospect (none lost), and no answer may be an error.

Issue 21 asks: 20 a second for 30 s, no error, none lost."""

from __future__ import annotations

import multiprocessing
import os
import statistics
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.throughput import ROOT, Gunicorn

RATE = 20
SECONDS = 30
SETTLE_SECONDS = 60  # how long the accepted ones may take to become prospects (the sweep's retries)


def _form(team_id: int):
    from inbound.models import Assignment, InquiryForm

    form, _ = InquiryForm.objects.get_or_create(
        name="bench load",
        defaults={
            "team_id": team_id,
            "asked_fields": ["company", "name", "phone", "email", "message"],
            "thank_you_text": "ありがとうございました。",
            "assignment": Assignment.ROUND_ROBIN,
        },
    )
    return form


def inquiry_load(
    *, database_url: str, team_id: int, rate: int = RATE, seconds: int = SECONDS, log=print
) -> dict[str, Any]:
    from django.conf import settings

    from inbound.models import Inquiry, InquiryStatus

    form = _form(team_id)
    run = uuid.uuid4().hex[:8]
    total = rate * seconds
    results: list[tuple[int, float]] = []
    finished: list[float] = []
    lock = threading.Lock()
    server = Gunicorn(database_url, ROOT / "var" / "bench" / "gunicorn-inquiry.log")
    # As production runs it: salescrm/gunicorn.conf.py's default worker count (the page throughput runs
    # pin 2 workers to compare with earlier runs; a submission waits on its commits, so more workers help).
    server.env["WEB_CONCURRENCY"] = os.environ.get(
        "INQUIRY_LOAD_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)
    )
    with server:
        status, _, body = server.request("GET", f"/inbound/f/{form.key}/token/")
        if status != 200:
            return {"error": f"token: HTTP {status}"}
        import json

        token = json.loads(body)["token"]
        time.sleep(settings.INBOUND_MIN_FILL_SECONDS + 0.5)  # a person takes longer than that
        path = f"/inbound/f/{form.key}/submit/?lang=ja"

        def send(i: int) -> None:
            data = urllib.parse.urlencode(
                {
                    "ts": token,
                    "lang": "ja",
                    "company": f"負荷試験{run}-{i}株式会社",
                    "name": f"試験 太郎{i}",
                    "phone": f"03-{i // 10000:04d}-{i % 10000:04d}",
                    "email": f"load-{run}-{i}@example.jp",
                    "message": "資料を送ってください。",
                }
            )
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "X-Forwarded-For": f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}",
            }
            started = time.perf_counter()
            try:
                code, _, _ = server.request("POST", path, data, headers)
            except OSError:
                code = 0
            with lock:
                results.append((code, time.perf_counter() - started))
                finished.append(time.monotonic())

        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=min(64, rate * 2)) as pool:
            for i in range(total):
                delay = t0 + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(send, i)
            scheduled = time.monotonic() - t0
        elapsed = max(finished, default=t0) - t0
    accepted = sum(1 for code, _ in results if code == 200)
    mine = Inquiry.objects.filter(form=form, data__email__startswith=f"load-{run}-")
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline and mine.filter(status=InquiryStatus.RECEIVED).exists():
        time.sleep(1)
    saved = mine.count()
    processed = mine.filter(status=InquiryStatus.PROCESSED, prospect__isnull=False).count()
    latencies = sorted(t for _, t in results)
    result = {
        "rate": rate,
        "seconds": seconds,
        "sent": total,
        "sent_in_s": round(scheduled, 1),
        "all_answered_in_s": round(elapsed, 1),
        "achieved_rate": round(total / elapsed, 1) if elapsed else 0.0,
        "accepted": accepted,
        "errors": total - accepted,
        "saved": saved,
        "made_prospects": processed,
        "lost": accepted - processed,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1) if latencies else None,
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
    }
    # Held: every one answered without error, kept and made a prospect, at (nearly) the rate sent.
    result["ok"] = (
        result["errors"] == 0
        and result["lost"] == 0
        and saved == accepted
        and result["achieved_rate"] >= 0.95 * rate
    )
    log(
        f"    inquiries: {accepted}/{total} accepted at {result['achieved_rate']}/s, p95 {result['p95_ms']} ms, "
        f"{processed} made prospects, lost {result['lost']}, errors {result['errors']}: "
        + ("held" if result["ok"] else "NOT held")
    )
    return result
