from __future__ import annotations

import pytest

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def htmx_headers():
    return dict(HTMX)


@pytest.fixture
def question_library(db):
    """The seeded question bank. The data migration seeds it; transactional tests elsewhere flush the
    tables and --reuse-db keeps that flushed state, so put it back the way the migration does."""
    import importlib

    from django.apps import apps

    importlib.import_module("closing.migrations.0003_seed_questions").seed(apps, None)
