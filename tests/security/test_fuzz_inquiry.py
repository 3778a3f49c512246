"""Property-based fuzzing of the web inquiry form's public POST (#21), the one form anyone on the internet
reaches: whatever is posted, the answer is a status with a reason (never a server error), a saved
inquiry becomes one prospect, and nothing half-written is left.

    FUZZ_EXAMPLES=1000 bin/test tests/security/test_fuzz_inquiry.py     (default 100)
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st

from inbound.models import Inquiry
from prospects.models import Prospect
from tests.inbound.conftest import SITE, inquiry_form, submission  # noqa: F401 (a fixture)
from tests.security.test_fuzz import fuzz_client, text
from tests.security.test_fuzz_dialogs import FUZZ, healthy_connection

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ANSWERS = (200, 400, 413, 422, 429)


def test_fuzzed_public_inquiry_never_errors_and_makes_one_prospect_per_inquiry(
    personas,
    inquiry_form,  # noqa: F811 (the fixture imported above)
    settings,
):
    settings.INBOUND_RATE_LIMIT = 10**6  # the limit has its own test; here every example is heard
    client = fuzz_client(personas.owner)  # signed in or not, the public form answers alike
    client.logout()
    url = reverse("inbound:public_submit", args=[inquiry_form.key])
    valid = submission(inquiry_form)
    junk = {
        "ts": st.one_of(text, st.sampled_from(["", "0:0", "forged:token", valid["ts"] + "x"])),
        "email": st.one_of(text, st.sampled_from(["a@b", "山田@例え.jp", "x@" + "y" * 300 + ".jp"])),
        "phone": st.one_of(
            text, st.sampled_from(["\uff10\uff13\uff0d\uff11\uff12\uff13\uff14", "+81 (3) 1234", "1" * 41])
        ),
        "product": st.one_of(text, st.sampled_from(["屋根修理", "外壁塗装\x00"])),
        "consent": st.sampled_from(["", "on", "off", "\x00"]),
        "website": st.sampled_from(["", "", "", "http://spam.example"]),
        "lang": st.sampled_from(["ja", "en", "", "xx", "\x00"]),
    }
    fields = {
        name: st.one_of(st.just(value), st.just(value), st.just(value), junk.get(name, text))
        for name, value in valid.items()
    }

    @FUZZ
    @example(data=valid, as_json=True, address="203.0.113.9")  # the save path, whatever else is drawn
    @given(
        data=st.fixed_dictionaries({}, optional=fields),
        as_json=st.booleans(),
        address=st.ip_addresses(v=4).map(str),
    )
    def run(data, as_json, address):
        headers = {"Origin": SITE, **({"Accept": "application/json"} if as_json else {})}
        response = client.post(url, data, headers=headers, REMOTE_ADDR=address)
        event(f"inquiry: {response.status_code}")
        statuses.append(response.status_code)
        assert response.status_code in ANSWERS
        if as_json:
            assert response.json()["ok"] is (response.status_code == 200)
        for inquiry in Inquiry.objects.all():
            assert Prospect.objects.filter(inquiry=inquiry).count() <= 1
        for prospect in Prospect.objects.filter(inquiry__isnull=False):
            assert prospect.name.strip() and "\x00" not in prospect.name + prospect.notes
        healthy_connection()

    statuses: list[int] = []
    run()
    assert 200 in statuses and 422 in statuses
    assert Prospect.objects.filter(inquiry__isnull=False).exists()
