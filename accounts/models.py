from __future__ import annotations

import pghistory
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from accounts.names import join_name


class Role(models.TextChoices):
    REP = "rep", _("Sales rep")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


# Invitations, deactivations and role changes are recorded with the acting user (never the password
# or the last login: those change at every login and are no one's business).
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    fields=["username", "email", "first_name", "last_name", "role", "is_active", "is_staff", "is_superuser"],
    model_name="UserEvent",
    meta={"verbose_name": _("user event"), "verbose_name_plural": _("user events")},
)
class User(AbstractUser):
    """A person who uses the CRM. The role decides what they may see; see accounts.access."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.REP)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.format_name(self.last_name, self.first_name, self.username)

    def get_full_name(self) -> str:
        return join_name(self.last_name, self.first_name)

    @staticmethod
    def format_name(last_name: str, first_name: str, username: str) -> str:
        """The name in the order of its script (accounts.names: "田中 翔太", "Moses Frase"); the
        username when both are empty. For rows read with values() (grouped queries), which have no
        User instance."""
        return join_name(last_name, first_name) or username

    @property
    def roster_name(self) -> str:
        return self.format_roster_name(self.last_name, self.first_name, self.username, self.is_active)

    @staticmethod
    def format_roster_name(last_name: str, first_name: str, username: str, is_active: bool) -> str:
        """The name on a page with totals or in a scope menu: a deactivated account's is marked, its row
        stays, so the rows still add up to the total."""
        name = User.format_name(last_name, first_name, username)
        return name if is_active else f"{name} ({pgettext('user account', 'inactive')})"

    @property
    def is_rep(self) -> bool:
        return self.role == Role.REP

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    # The admin role is the administrator of the CRM: it may use every page of the admin site (the
    # navigation links there). Other roles keep Django's per-permission checks.
    def has_perm(self, perm, obj=None) -> bool:
        if self.is_active and self.is_staff and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and self.is_staff and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    fields=["name"],
    model_name="TeamEvent",
    meta={"verbose_name": _("team event"), "verbose_name_plural": _("team events")},
)
class Team(models.Model):
    name = models.CharField(_("team name"), max_length=100, unique=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True, verbose_name=_("members"))
    managers = models.ManyToManyField(
        User, related_name="managed_teams", blank=True, verbose_name=_("managers")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Who joined or left a team, or became or stopped being its manager, and who did it (the request's
# pghistory context, in the app and in the Django admin alike): the rows are only added and removed.
# Proxies of the membership tables carry the triggers (pghistory's way for many-to-many tables).
@pghistory.track(
    pghistory.InsertEvent("member.add"),
    pghistory.DeleteEvent("member.remove"),
    obj_field=None,
    model_name="TeamMemberEvent",
    meta={"verbose_name": _("team member event"), "verbose_name_plural": _("team member events")},
)
class TeamMember(Team.members.through):
    class Meta:
        proxy = True
        verbose_name = _("team member")
        verbose_name_plural = _("team members")


@pghistory.track(
    pghistory.InsertEvent("manager.add"),
    pghistory.DeleteEvent("manager.remove"),
    obj_field=None,
    model_name="TeamManagerEvent",
    meta={"verbose_name": _("team manager event"), "verbose_name_plural": _("team manager events")},
)
class TeamManager(Team.managers.through):
    class Meta:
        proxy = True
        verbose_name = _("team manager")
        verbose_name_plural = _("team managers")
