"""`manage.py check --deploy --fail-level WARNING` passes with the production environment, and fails
when a production safeguard is switched off (so the check really checks something)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def deploy_check(**overrides: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "DJANGO_SETTINGS_MODULE": "salescrm.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "crm.example.jp",
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_passes_with_production_variables():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "overrides",
    [
        {"DJANGO_SECURE_COOKIES": "0"},
        {"DJANGO_HSTS_SECONDS": "0"},
        {"DJANGO_SECURE_SSL_REDIRECT": "0"},
        {"DJANGO_SECRET_KEY": "short"},
    ],
    ids=["insecure-cookies", "no-hsts", "no-ssl-redirect", "weak-secret"],
)
def test_the_deploy_check_fails_when_a_safeguard_is_off(overrides):
    result = deploy_check(**overrides)
    assert result.returncode != 0


def test_production_refuses_to_start_without_a_secret_key():
    result = deploy_check(DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
