"""Permission-aware reads of import jobs (a job is visible to its creator and to admins only) and of the
users an importer may name as owners."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.access import visible_users
from accounts.models import User
from imports import parsing
from imports.models import ImportJob, ImportKind
from salescrm.lib.params import parse_id


def visible_jobs(user: User) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.select_related("created_by")
    if user.is_admin_role:
        return qs
    return qs.filter(created_by=user)


def access_job(user: User, pk: Any, kind: str | None = ImportKind.PROSPECTS) -> ImportJob:
    """The job if `user` may see it (and it is of `kind`, unless None: a people import is not opened
    by the prospect pages); 404 otherwise."""
    jobs = visible_jobs(user) if kind is None else visible_jobs(user).filter(kind=kind)
    try:
        return jobs.get(pk=parse_id(pk))
    except ImportJob.DoesNotExist:
        raise Http404 from None


def owner_index(by: User) -> dict[str, list[User]]:
    """The users `by` may assign, under every key an owner cell may name them by (username, e-mail,
    full name in either order; imports.parsing.owner_keys): the one lookup of the mapping page's
    guesses and of the import's rows. A key with two users is ambiguous."""
    index: dict[str, list[User]] = {}
    for user in visible_users(by):
        for key in parsing.owner_keys(user.username, user.last_name, user.first_name, user.email):
            index.setdefault(key, []).append(user)
    return index
