"""Permission-aware reads of import jobs: a job is visible to its creator and to admins only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
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
