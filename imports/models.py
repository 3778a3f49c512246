from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from imports import parsing


class DateOrder(models.TextChoices):
    """How a file writes a date whose year is not first (imports.parsing reads it in this order)."""

    YMD = parsing.YMD, _("Year/month/day (2026/11/27)")
    MDY = parsing.MDY, _("Month/day/year (11/27/2026)")
    DMY = parsing.DMY, _("Day/month/year (27/11/2026)")


class ImportMapping(models.Model):
    """A saved column and value mapping, reusable for the next file of the same shape.

    json = {"columns": {header: field}, "values": {field: {raw value: code or user id}},
            "defaults": {"lost_reason": code for lost rows without one},
            "also": {field: {raw value: {other field: code}}} (one column, two fields; optional),
            "date_order": the DateOrder chosen with it, or ""}.
    """

    name = models.CharField(_("mapping name"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_mappings",
        verbose_name=_("created by"),
    )
    json = models.JSONField(_("mapping"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "name"], name="importmapping_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class JobStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWED = "previewed", _("Checked")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobPhase(models.TextChoices):
    PREVIEW = "preview", _("Dry run")
    IMPORT = "import", _("Import")


class ImportKind(models.TextChoices):
    PROSPECTS = "prospects", _("Prospects")
    PEOPLE = "people", _("People")


class ImportJob(models.Model):
    """One uploaded file on its way in: uploaded -> previewed (dry run) -> running -> done | failed.
    A file of prospects (any user) or of people (admins: imports/services/people.py)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("created by"),
    )
    # Relative to settings.IMPORT_UPLOAD_DIR; the file itself stays out of the static tree.
    kind = models.CharField(
        _("kind"), max_length=10, choices=ImportKind.choices, default=ImportKind.PROSPECTS
    )
    file_path = models.CharField(_("stored file"), max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4)  # csv | xlsx
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    status = models.CharField(
        pgettext_lazy("import job", "status"),
        max_length=10,
        choices=JobStatus.choices,
        default=JobStatus.UPLOADED,
    )
    phase = models.CharField(_("phase"), max_length=8, choices=JobPhase.choices, default=JobPhase.PREVIEW)
    # [{"name": header, "values": [distinct values, at most 50]}]
    headers = models.JSONField(_("columns"), default=list)
    # {"columns": {header: field}, "values": {field: {raw: code}}, "defaults": {"lost_reason": code},
    #  "also": {field: {raw: {field: code}}}}
    mapping = models.JSONField(_("mapping"), default=dict)
    # {"update_duplicates": bool, "create_owners": bool, "language": "ja",
    #  "date_order": a DateOrder chosen by the user, or "" to guess it from the file}
    options = models.JSONField(_("options"), default=dict)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    # Rows of existing prospects that the file leaves as they are (not written).
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # A row may have several errors: the rows that have any, counted apart.
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    # Lost rows without a reason that took the mapping's default one (mapping["defaults"]["lost_reason"]).
    lost_reason_defaults = models.PositiveIntegerField(_("rows given the default lost reason"), default=0)
    # [{"row": 12, "column": "確度", "value": "120", "reason": "..."}]; the first MAX_STORED_ERRORS (the
    # complete list is a CSV file beside the upload: services.report).
    errors = models.JSONField(_("error report"), default=list)
    preview = models.JSONField(_("preview"), default=list)
    new_owners = models.JSONField(_("owners to create"), default=list)
    # The rep accounts the import created (inactive): the job's page offers to activate them in one step.
    created_owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="created_by_imports",
        blank=True,
        verbose_name=_("owners created"),
    )
    # 名寄せ of the rows (#19): {"companies_created": n, "companies_attached": n, "contacts_created": n,
    # "contacts_attached": n, "matches": [{"row", "kind", "id", "name"}, ...]} (the rows attached to an
    # existing company or contact; every other row creates its own or shares one an earlier row creates).
    directory = models.JSONField(_("companies and contacts"), default=dict, blank=True)
    # A people import's dry run: {"teams_created": [name], "manages": [{"manager", "team", "new"}],
    # "error_rows": n}; its rows are in `preview`.
    people = models.JSONField(_("people and teams"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Written every few seconds by the task running the job; a running job whose heartbeat stopped lost
    # its worker (services.import_job_recover marks it failed).
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # Raised by every claim; a task carries the attempt it was queued for, so a message the broker
    # redelivers after the job was run again is ignored.
    attempt = models.PositiveIntegerField(_("attempt"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The job list: a user's own jobs, newest first.
            models.Index(fields=["created_by", "-created_at"], name="importjob_user_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="importjob_status_valid"),
            models.CheckConstraint(condition=Q(phase__in=JobPhase.values), name="importjob_phase_valid"),
            models.CheckConstraint(condition=Q(kind__in=ImportKind.values), name="importjob_kind_valid"),
            models.CheckConstraint(
                condition=Q(file_format__in=["csv", "xlsx"]), name="importjob_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(processed_rows__lte=models.F("total_rows")),
                name="importjob_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        name = "imports:people_job" if self.kind == ImportKind.PEOPLE else "imports:job"
        return reverse(name, args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status == JobStatus.RUNNING

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(self.processed_rows * 100 / self.total_rows))

    @property
    def can_import(self) -> bool:
        """Checked without errors, or an import that failed without a row error (its worker was lost):
        the import is all rows or none and checks every row again, so running it again is safe."""
        checked = self.status == JobStatus.PREVIEWED
        failed_import = self.status == JobStatus.FAILED and self.phase == JobPhase.IMPORT
        return (checked or failed_import) and self.error_count == 0 and self.total_rows > 0
