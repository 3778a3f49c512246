from django.contrib import admin

from reports.models import DailyReport, DailyReportComment


class DailyReportCommentInline(admin.TabularInline):
    model = DailyReportComment
    extra = 0
    raw_id_fields = ("author",)
    readonly_fields = ("created_at",)


@admin.register(DailyReport)
class DailyReportAdmin(admin.ModelAdmin):
    list_display = ("day", "owner", "activities_done", "prospects_created", "submitted_at", "version")
    date_hierarchy = "day"
    search_fields = ("comment", "owner__username", "owner__last_name")
    raw_id_fields = ("owner",)
    # The figures are what the rep submitted: kept as they were.
    readonly_fields = (
        "activities_done",
        "prospects_created",
        "test_closings",
        "outcomes",
        "lead_activities",
        "planned_next",
        "submitted_at",
        "created_at",
        "version",
    )
    inlines = [DailyReportCommentInline]


@admin.register(DailyReportComment)
class DailyReportCommentAdmin(admin.ModelAdmin):
    list_display = ("report", "author", "created_at")
    raw_id_fields = ("report", "author")
    readonly_fields = ("created_at",)
