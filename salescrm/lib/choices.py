"""A model's get_FOO_display() read from a table of the field's labels, made once per language.

Django's own builds a dict of every choice on each call and hashes the choice list whole, so each lazy
label of the field is translated again for every row shown: a 25-row prospect list made about 400
translations, a 10,000-row export about 120,000. The labels are still the field's choices (the one
source); only their translation is remembered, per language."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models
from django.utils.translation import get_language


@cache
def _labels(field: models.Field, language: str | None) -> dict[Any, str]:
    return {value: str(label) for value, label in field.flatchoices}


class ChoiceLabels:
    """Mix into a model whose choice labels are shown row by row (lists, boards, exports)."""

    def _get_FIELD_display(self, field: models.Field) -> Any:
        value = getattr(self, field.attname)
        try:
            return _labels(field, get_language()).get(value, value)
        except TypeError:  # an unhashable value: Django's own way
            return super()._get_FIELD_display(field)  # type: ignore[misc]
