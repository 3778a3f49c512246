from django.contrib import admin

from imports.models import ImportJob, ImportMapping


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "created_by", "created_at")
    search_fields = ("name",)
    list_select_related = ("created_by",)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: an import runs through its pages (dry run, then all rows or none)."""

    list_display = (
        "original_name",
        "kind",
        "created_by",
        "status",
        "total_rows",
        "created_count",
        "error_rows",
        "error_count",
        "created_at",
    )
    list_filter = ("kind", "status", "file_format")
    search_fields = ("original_name",)
    list_select_related = ("created_by",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
