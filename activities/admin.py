from django.contrib import admin

from activities.models import Activity, ActivityKind, LeadActivity


@admin.register(ActivityKind)
class ActivityKindAdmin(admin.ModelAdmin):
    list_display = ("code", "label_ja", "label_en", "triggers_test_close", "is_active", "position")
    list_editable = ("triggers_test_close", "is_active", "position")
    search_fields = ("code", "label_ja", "label_en")

    def has_delete_permission(self, request, obj=None) -> bool:
        # A kind in use is retired (is_active), never deleted: the activities keep their kind.
        return obj is None or not obj.activities.exists()


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("prospect", "kind", "status", "starts_at", "owner")
    list_filter = ("status", "kind")
    raw_id_fields = ("prospect", "owner", "created_by")
    readonly_fields = ("created_at", "updated_at", "version", "done_at")


@admin.register(LeadActivity)
class LeadActivityAdmin(admin.ModelAdmin):
    list_display = ("on", "kind", "owner", "name", "area", "flyers", "contacts", "requests", "lead_count")
    list_filter = ("kind",)
    date_hierarchy = "on"
    search_fields = ("name", "area", "channel", "note")
    raw_id_fields = ("owner", "created_by")
    readonly_fields = ("lead_count", "created_at", "updated_at")
