from django.contrib import admin

from targets.models import PipelineAlert, PipelineTarget


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
