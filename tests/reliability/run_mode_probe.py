"""Run in a subprocess with bin/run's environment (tests/reliability/test_run_mode.py): request a view
that raises and a missing page in Japanese and English, print what came back as JSON."""

import json

import django

django.setup()

from django.test import Client, override_settings  # noqa: E402

out = {}
with override_settings(ROOT_URLCONF="tests.reliability.boom_urls"):
    client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
    for language in ("ja", "en"):
        for url in ("/boom/", "/no-such-page/", "/refused/", "/suspicious/"):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            out[f"{language} {url}"] = [response.status_code, response.content.decode()]
print(json.dumps(out))
