"""The EMAIL_* variables of the environment make the one mailer of Django's MAILERS, with the options of
its backend only, and settings load without Django's warning about the old email settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

PROBE = """
import json, warnings
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    import django
    django.setup()
    from django.conf import settings
    from django.core import mail
    backend = type(mail.mailers.default).__name__
    host = getattr(mail.mailers.default, "host", None)
print(json.dumps({"mailers": settings.MAILERS, "backend": backend, "host": host,
                  "warnings": [str(w.message) for w in caught if "mail" in str(w.message).lower()]}))
"""


def run_probe(**variables: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "DJANGO_SETTINGS_MODULE": "salescrm.settings",
        "DJANGO_DEBUG": "1",
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def probe(**variables: str) -> dict:
    result = run_probe(**variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_smtp_variables_make_the_default_mailer():
    found = probe(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="smtp.example.jp",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="crm",
        EMAIL_HOST_PASSWORD="secret",
        EMAIL_USE_TLS="1",
    )
    default = found["mailers"]["default"]
    assert default["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert default["OPTIONS"] | {"timeout": None} == {
        "host": "smtp.example.jp",
        "port": 587,
        "username": "crm",
        "password": "secret",
        "use_tls": True,
        "use_ssl": False,
        "timeout": None,
    }
    assert found["backend"] == "EmailBackend" and found["warnings"] == []
    assert found["host"] == "smtp.example.jp"


def test_a_custom_smtp_backend_gets_the_smtp_options_too():
    # A provider's backend is usually a subclass of Django's SMTP one; it must not fall back to localhost:25.
    found = probe(
        EMAIL_BACKEND="tests.salescrm.relay_backend.EmailBackend",
        EMAIL_HOST="relay.example.jp",
        EMAIL_PORT="465",
        EMAIL_USE_SSL="1",
    )
    options = found["mailers"]["default"]["OPTIONS"]
    assert (options["host"], options["port"], options["use_ssl"], options["use_tls"]) == (
        "relay.example.jp",
        465,
        True,
        False,
    )
    assert found["backend"] == "EmailBackend" and found["host"] == "relay.example.jp"


def test_tls_and_ssl_together_stop_the_start_with_a_reason():
    result = run_probe(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_USE_TLS="1", EMAIL_USE_SSL="1"
    )
    assert result.returncode != 0
    assert "EMAIL_USE_TLS" in result.stderr and "set one, not both" in result.stderr


def test_the_file_backend_gets_its_folder_and_no_smtp_options(tmp_path):
    found = probe(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path),
        EMAIL_HOST="smtp.example.jp",
    )
    assert found["mailers"]["default"]["OPTIONS"] == {"file_path": str(tmp_path)}
    assert found["warnings"] == []


def test_development_prints_mail_to_the_console():
    found = probe()
    assert found["mailers"] == {
        "default": {"BACKEND": "django.core.mail.backends.console.EmailBackend", "OPTIONS": {}}
    }
    assert json.dumps(found["warnings"]) == "[]"
