"""Raw reads of a model with the user one of its foreign keys names, in one query.

For the hot reads of a page the ORM's compiling (select_related, visibility filters) cost more than
the query itself. ``Model.objects.raw`` keeps the model instances and their field conversions; the
user's name columns ride along under a prefix and become a partial User (the other fields load on
access, as with ``only()``), cached on the foreign key.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from accounts.models import User

USER_NAME_FIELDS = ("id", "username", "first_name", "last_name")


def user_columns(alias: str, prefix: str) -> str:
    """The SELECT list of a user's name columns from table alias `alias`, named `<prefix><field>`."""
    return ", ".join(f'{alias}."{f}" AS "{prefix}{f}"' for f in USER_NAME_FIELDS)


def attach_user(obj: models.Model, foreign_key: str, prefix: str) -> None:
    """Turn the `prefix` columns of `obj` (see user_columns) into the cached user of `foreign_key`
    (None for a null key, or a user left out by a LEFT JOIN)."""
    values = [obj.__dict__.pop(f"{prefix}{f}") for f in USER_NAME_FIELDS]
    user = User.from_db(obj._state.db, list(USER_NAME_FIELDS), values) if values[0] is not None else None
    type(obj)._meta.get_field(foreign_key).set_cached_value(obj, user)


def raw_with_user(
    model: type[models.Model], foreign_key: str, rest: str, params: Any, *, select: str = "", joins: str = ""
) -> list:
    """``SELECT m.*, <the user's name columns><select> FROM <model> m LEFT JOIN <users> u ON u.id =
    m.<foreign_key> <joins> <rest>`` as model instances, each with its user cached on `foreign_key`.
    `rest` (WHERE, ORDER BY, LIMIT) and `joins` use the alias m for the model."""
    column = model._meta.get_field(foreign_key).column
    rows = list(
        model.objects.raw(
            f"SELECT m.*, {user_columns('u', 'u_')}{select} FROM {model._meta.db_table} m "
            f"LEFT JOIN {User._meta.db_table} u ON u.id = m.{column} {joins} {rest}",
            params,
        )
    )
    for row in rows:
        attach_user(row, foreign_key, "u_")
    return rows
