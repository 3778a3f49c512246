import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_docker_compose_file_is_valid():
    compose = _compose()
    if compose is None:
        pytest.skip("no docker compose client on this machine")
    env = {**os.environ, "DJANGO_SECRET_KEY": "x" * 50}
    result = subprocess.run([*compose, "config", "-q"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_compose_runs_exactly_one_beat_and_every_process():
    text = (ROOT / "docker-compose.yml").read_text()
    for service in ("db:", "redis:", "web:", "worker:", "beat:", "migrate:"):
        assert f"\n  {service}" in text
    assert text.count('celery", "-A", "salescrm", "beat"') == 1
    assert "/health/" in text


def test_env_example_documents_every_environment_variable_the_settings_read():
    import re

    settings_text = (ROOT / "salescrm" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z0-9_]+)"', settings_text))
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - documented == set()
