from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Team, TeamManager, TeamMember, User
from accounts.services import users_set_active


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "email", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "teams")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Role"), {"fields": ("role",)}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("Role"), {"fields": ("role",)}))
    actions = ("activate_users", "deactivate_users")

    @admin.action(description=_("Activate selected users"), permissions=["change"])
    def activate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        changed = users_set_active(users=queryset, active=True, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)s user was activated.", "%(count)s users were activated.", len(changed))
            % {"count": len(changed)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Deactivate selected users"), permissions=["change"])
    def deactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        try:
            changed = users_set_active(users=queryset, active=False, by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(count)s user was deactivated.", "%(count)s users were deactivated.", len(changed))
            % {"count": len(changed)},
            messages.SUCCESS,
        )


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
