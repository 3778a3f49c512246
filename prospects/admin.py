from django.contrib import admin

from prospects.models import Prospect


@admin.register(Prospect)
class ProspectAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "owner",
        "horizon",
        "probability",
        "expected_month",
        "amount",
        "status",
        "updated_at",
    )
    list_filter = ("status", "horizon", "source", "owner")
    search_fields = ("name", "contact_person", "email", "phone")
    list_select_related = ("owner",)
    raw_id_fields = ("owner", "origin")
    readonly_fields = ("version", "expected_month_slips", "created_at", "updated_at")
    date_hierarchy = "created_at"
