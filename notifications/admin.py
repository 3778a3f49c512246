from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "message", "read_at", "emailed_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at"]
