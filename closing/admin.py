from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from closing import services
from closing.models import Recontact, Reopening, TestClosing, TestClosingQuestion


@admin.register(TestClosingQuestion)
class TestClosingQuestionAdmin(admin.ModelAdmin):
    list_display = ("text_ja", "text_en", "kind", "is_retired", "times_used")
    list_filter = ("kind", "is_retired")
    search_fields = ("text_ja", "text_en")
    actions = ["retire"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(times_used=Count("uses"))

    @admin.display(description=_("times used"), ordering="times_used")
    def times_used(self, obj):
        return obj.times_used

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # Bulk delete would try to remove questions already used; retire them instead.
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Retire the selected questions"))
    def retire(self, request, queryset):
        queryset.update(is_retired=True)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.uses.exists():
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "GET" and obj.uses.exists():
            messages.info(request, services.QUESTION_IN_USE_MESSAGE)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(TestClosing)
class TestClosingAdmin(admin.ModelAdmin):
    list_display = ("prospect", "question_text", "reading", "asked_by", "asked_at")
    list_filter = ("reading",)
    list_select_related = ("prospect", "asked_by")
    raw_id_fields = ("prospect", "question", "asked_by")
    readonly_fields = ("asked_at",)

    # A log entry is never edited after its day nor deleted: the admin only shows it.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reopening)
class ReopeningAdmin(admin.ModelAdmin):
    list_display = ("prospect", "previous_status", "by", "at")
    list_select_related = ("prospect", "by")
    raw_id_fields = ("prospect", "by")


@admin.register(Recontact)
class RecontactAdmin(admin.ModelAdmin):
    list_display = ("lost_prospect", "recontact_on", "followup", "created_at")
    raw_id_fields = ("lost_prospect", "followup")
