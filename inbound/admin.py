from django.contrib import admin

from inbound.models import Inquiry


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    """What each form received, read-only (the forms themselves are set up on the product's own pages)."""

    list_display = ["created_at", "form", "status", "prospect", "attempts"]
    list_filter = ["status", "form"]
    readonly_fields = [f.name for f in Inquiry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
