from django.contrib import admin

from targets.models import (
    AlertDigest,
    OwnerFlowRollup,
    PipelineAlert,
    PipelineTarget,
    SourceHistoryRollup,
)


@admin.register(PipelineTarget)
class PipelineTargetAdmin(admin.ModelAdmin):
    list_display = ("__str__", "min_open", "min_short", "min_mid", "min_long", "sales_target", "updated_at")
    list_select_related = ("user", "team")
    raw_id_fields = ("user",)


@admin.register(PipelineAlert)
class PipelineAlertAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "rule",
        "current",
        "target",
        "deficit",
        "opened_at",
        "resolved_at",
        "emailed_at",
    )
    list_filter = ("scope", "rule", ("resolved_at", admin.EmptyFieldListFilter))
    list_select_related = ("user", "team")
    readonly_fields = [f.name for f in PipelineAlert._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AlertDigest)
class AlertDigestAdmin(admin.ModelAdmin):
    """Which daily digests went out (the row is what makes a digest go once per person and day)."""

    list_display = ("user", "day", "sent_at")
    list_filter = ("day",)
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OwnerFlowRollup)
class OwnerFlowRollupAdmin(admin.ModelAdmin):
    """The day's rollup the check reads (derived: recomputed by the task, never edited)."""

    list_display = ("day", "owner_id", "inflow", "outflow", "history", "computed_at")
    list_filter = ("day",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SourceHistoryRollup)
class SourceHistoryRollupAdmin(admin.ModelAdmin):
    """The day's source history the replenishment plans read (derived, never edited)."""

    list_display = ("day", "owner_id", "source", "created", "kept", "won", "lost")
    list_filter = ("day", "source")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
