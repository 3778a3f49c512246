"""Every model field with choices is held to them by a CHECK constraint, so a value no form offers (a
currency code outside the list was saved and displayed) can never be stored by any path: a form, an
import, the admin, a bulk update or raw SQL."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models import CheckConstraint, Q

from tests.security.test_nul_in_forms import project_apps

PROJECT_APPS = {name.rpartition(".")[2] for name in project_apps()}


def _lookups(q: Q):
    for child in q.children:
        if isinstance(child, Q):
            yield from _lookups(child)
        else:
            yield child


def choice_fields():
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or not model._meta.managed:
            continue
        if model.__name__.endswith("Event"):  # pghistory's copies: the tracked table holds the rule
            continue
        for field in model._meta.concrete_fields:
            if field.choices and not field.is_relation:
                yield model, field


CASES = list(choice_fields())


def test_there_are_choice_fields_to_check():
    assert len(CASES) >= 8


@pytest.mark.parametrize("model,field", CASES, ids=[f"{m.__name__}.{f.name}" for m, f in CASES])
def test_every_choice_field_has_a_check_constraint_over_its_choices(model, field):
    values = {str(v) for v, _label in field.flatchoices} | {""}
    for constraint in model._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        condition = constraint.condition
        for key, value in _lookups(condition):
            if key == f"{field.name}__in" and {str(v) for v in value} <= values:
                return
        # Or one branch per value, each naming it: (scope='user' AND ...) OR (scope='team' AND ...).
        if condition.connector == Q.OR and not condition.negated:
            named = [
                [str(v) for k, v in _lookups(b if isinstance(b, Q) else Q(b)) if k == field.name]
                for b in condition.children
            ]
            if all(len(n) == 1 and n[0] in values for n in named):
                return
    pytest.fail(f"{model.__name__}.{field.name}: no CheckConstraint(condition=Q({field.name}__in=...))")
