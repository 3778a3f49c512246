from django.contrib import admin

from pipeline.models import ForecastSnapshot, ForecastSnapshotLine, RankBands, UpkeepRun


class ForecastSnapshotLineInline(admin.TabularInline):
    model = ForecastSnapshotLine
    extra = 0
    can_delete = False
    readonly_fields = (
        "prospect",
        "owner",
        "name",
        "horizon",
        "probability",
        "expected_month",
        "amount",
        "weighted",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ForecastSnapshot)
class ForecastSnapshotAdmin(admin.ModelAdmin):
    """Read-only: a snapshot is what the list was; it is never edited. Rank bands have their own page."""

    list_display = ("scope", "month", "taken_at", "taken_by")
    list_filter = ("month",)
    readonly_fields = ("scope", "team", "user", "month", "taken_at", "taken_by")
    inlines = [ForecastSnapshotLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UpkeepRun)
class UpkeepRunAdmin(admin.ModelAdmin):
    list_display = ("ran_on", "month_passed", "horizon_disagrees", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RankBands)
class RankBandsAdmin(admin.ModelAdmin):
    """The one row of rank bands; the in-app page (pipeline:rank_bands) validates and records history too."""

    list_display = ("a_min", "b_min")

    def has_add_permission(self, request):
        return not RankBands.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
