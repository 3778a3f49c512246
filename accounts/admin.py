from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, TeamManager, TeamMember, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "email", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "teams")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Role"), {"fields": ("role",)}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("Role"), {"fields": ("role",)}))


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "member_count", "created_at")
    search_fields = ("name",)
    filter_horizontal = ("members", "managers")

    @admin.display(description=_("members"))
    def member_count(self, team: Team) -> int:
        return team.members.count()


class MembershipAdmin(admin.ModelAdmin):
    """Read-only: memberships are edited on the team (TeamAdmin); these proxies carry their audit trail."""

    list_display = ("team", "user")
    list_filter = ("team",)
    search_fields = ("team__name", "user__username", "user__last_name", "user__first_name")
    list_select_related = ("team", "user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(TeamMember, MembershipAdmin)
admin.site.register(TeamManager, MembershipAdmin)
