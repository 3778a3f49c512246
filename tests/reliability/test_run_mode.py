"""bin/run is production mode unless asked: a 500 shows the friendly page, in Japanese and English,
never a traceback or a setting."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SALESCRM_DEV"))}
    env.update(SALESCRM_VAR_DIR=str(tmp_path), **extra)
    out = subprocess.run(
        [str(ROOT / "bin" / "run"), "--print-env"], env=env, capture_output=True, text=True, check=True
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


def test_bin_run_is_production_mode_unless_asked(tmp_path):
    assert run_env(tmp_path)["DJANGO_DEBUG"] == "0"
    assert run_env(tmp_path, DJANGO_DEBUG="1")["DJANGO_DEBUG"] == "0"
    assert run_env(tmp_path, SALESCRM_DEV="1")["DJANGO_DEBUG"] == "1"


def test_the_secret_key_is_generated_once_and_kept(tmp_path):
    first = run_env(tmp_path)["DJANGO_SECRET_KEY"]
    assert len(first) >= 40
    assert run_env(tmp_path)["DJANGO_SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_an_error_under_bin_run_shows_the_friendly_page_in_both_languages(tmp_path):
    env = {**os.environ, **run_env(tmp_path), "DJANGO_SETTINGS_MODULE": "salescrm.settings"}
    # bin/run runs collectstatic first; here the files are read from the source tree instead.
    env["DJANGO_MANIFEST_STATIC"] = "0"
    env.pop("PYTEST_XDIST_WORKER", None)
    probe = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "reliability" / "run_mode_probe.py")],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    pages = json.loads(probe.stdout.splitlines()[-1])
    secrets = [env["DJANGO_SECRET_KEY"], env["DATABASE_URL"], env.get("REDIS_URL", "redis://")]
    for key, (_status, body) in pages.items():
        for leak in (*secrets, "Traceback", "boom", "RuntimeError", "DATABASES", "settings"):
            assert leak not in body, f"{key} shows {leak!r}"
    assert pages["ja /boom/"][0] == 500 and "サーバーエラー" in pages["ja /boom/"][1]
    assert pages["en /boom/"][0] == 500 and "Server error" in pages["en /boom/"][1]
    assert pages["ja /no-such-page/"][0] == 404 and "見つかりません" in pages["ja /no-such-page/"][1]
    assert pages["en /no-such-page/"][0] == 404 and "Not found" in pages["en /no-such-page/"][1]
    assert pages["ja /refused/"][0] == 403 and "権限がありません" in pages["ja /refused/"][1]
    assert pages["en /refused/"][0] == 403 and "Not allowed" in pages["en /refused/"][1]
    assert pages["ja /suspicious/"][0] == 400 and "不正なリクエスト" in pages["ja /suspicious/"][1]
    assert pages["en /suspicious/"][0] == 400 and "Bad request" in pages["en /suspicious/"][1]
