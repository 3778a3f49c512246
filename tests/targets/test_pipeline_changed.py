"""The one way the apps below targets ask for a pipeline check: prospects.signals.pipeline_changed,
which targets listens to (targets/apps.py). prospects, closing and imports never import targets."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings

from prospects.services import prospect_update
from prospects.signals import pipeline_changed, pipeline_changed_send

pytestmark = pytest.mark.django_db

CHECK = "targets.tasks.check_pipeline_targets.apply_async"


def test_a_reassignment_sends_one_signal_and_the_check_runs_after_the_commit(
    personas, django_capture_on_commit_callbacks
):
    heard = []

    def listener(**kwargs):
        heard.append(kwargs["owner_ids"])

    pipeline_changed.connect(listener)
    try:
        with mock.patch(CHECK) as apply_async, django_capture_on_commit_callbacks(execute=True):
            prospect_update(
                prospect=personas.prospect, by=personas.manager, expected_version=1, owner=personas.teammate
            )
            assert apply_async.call_count == 0  # not before the commit
    finally:
        pipeline_changed.disconnect(listener)
    expected = sorted([personas.owner.pk, personas.teammate.pk])
    assert heard == [expected]
    apply_async.assert_called_once_with(kwargs={"owner_ids": expected}, retry=False)


def test_an_edit_that_keeps_the_owner_asks_for_no_check(personas, django_capture_on_commit_callbacks):
    with mock.patch(CHECK) as apply_async, django_capture_on_commit_callbacks(execute=True):
        prospect_update(prospect=personas.prospect, by=personas.owner, expected_version=1, name="改名")
    assert apply_async.call_count == 0


def test_no_owner_ids_send_nothing_and_a_rollback_enqueues_nothing(django_capture_on_commit_callbacks):
    with mock.patch(CHECK) as apply_async, django_capture_on_commit_callbacks(execute=True) as callbacks:
        pipeline_changed_send(owner_ids=[None])
    assert callbacks == [] and apply_async.call_count == 0


@pytest.mark.parametrize("app", ["accounts", "prospects", "closing", "imports"])
def test_the_apps_below_targets_never_import_it(app):
    """Layering reads bottom-up: accounts <- prospects <- closing, pipeline, targets, imports."""
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py")
        if "migrations" not in path.parts
        and re.search(r"^\s*(from|import) targets\b", path.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []
