"""A property-based run of the whole API from its own OpenAPI schema (schemathesis): for every operation,
generated requests (valid and invalid) with a real read-write token of an admin, against the Django app
in-process (WSGI). No answer may be a server error, and every answer must be what the schema documents
(its status, its content type, its body). The examples are bounded so the run stays short in CI."""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import token_create
from tests.conftest import make_prospect

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES_PER_OPERATION = 15  # about 80 s for the 18 operations
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Real ids, so that generated requests also reach the code behind the 404 (every other request of an
# object route is about a row that does not exist). Set by the fixture; alternated by the hook below.
_REAL_IDS: dict[str, list[int]] = {}
_turn = itertools.count()


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    """Every other request to a prospect's routes names a real prospect (the admin sees them all)."""
    ids = _REAL_IDS.get("prospects") or []
    if "/prospects/{pk}" in context.operation.path and ids and next(_turn) % 2 == 0:
        path_parameters["pk"] = str(ids[next(_turn) % len(ids)])
    return path_parameters


def _schema():
    from api.v1 import api

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = WSGIHandler()
    return loaded


schema = _schema()


@pytest.fixture
def keep_connection():
    """The WSGI handler closes the database connection after each request, which would end the test's
    transaction; Django's test client keeps it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(personas, keep_connection):
    prospects = [personas.prospect, *(make_prospect(personas.owner, name=f"見込み{i}") for i in range(3))]
    _REAL_IDS["prospects"] = [p.pk for p in prospects]
    return token_create(user=personas.admin, name="schemathesis", scope="write")[1]


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@override_settings(API_RATE_LIMIT=1_000_000)
def test_the_api_answers_as_its_schema_says(case, admin_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS)
