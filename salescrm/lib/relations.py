"""Which foreign keys of an unsaved instance point at records read from the database (their existence
needs no query from full_clean: the database's foreign key enforces it at the write)."""

from __future__ import annotations

from django.db import models


def loaded_relations(instance: models.Model) -> list[str]:
    """The names of the instance's foreign keys whose related object is set and was read from the
    database (not a new, unsaved one), for full_clean(exclude=...)."""
    names = []
    for field in instance._meta.concrete_fields:
        if not field.is_relation or not field.is_cached(instance):
            continue
        related = field.get_cached_value(instance)
        if related is not None and related.pk is not None and not related._state.adding:
            names.append(field.name)
    return names
