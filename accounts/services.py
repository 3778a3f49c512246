"""An administrator's chores on user accounts: invite, send a password link, deactivate, reactivate.
Each change is recorded with the acting user (pghistory context) and the account's history."""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from typing import NamedTuple

import pghistory
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User

SELF_DEACTIVATE_MESSAGE = _("You cannot deactivate your own account.")


def password_link(*, user: User, base_url: str) -> str:
    """The set-password link of Django's reset view: valid until the password is set (or the
    PASSWORD_RESET_TIMEOUT passes), and only once, because the token hashes the password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


MAIL_FAILED_MESSAGE = _("The e-mail could not be sent (%(error)s). Nothing was changed; try again later.")


def _mail(*, user: User, template: str, base_url: str, by: User) -> None:
    # The recipient's language is not stored: the mail goes out in the language the admin used.
    context = {"user": user, "link": password_link(user=user, base_url=base_url), "by": by}
    subject = render_to_string(f"accounts/{template}_subject.txt", context).strip()
    body = render_to_string(f"accounts/{template}_email.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except (OSError, smtplib.SMTPException) as exc:
        raise ValidationError(MAIL_FAILED_MESSAGE, params={"error": type(exc).__name__}) from exc


def user_create_inactive(*, username: str, email: str, last_name: str, first_name: str, role: str) -> User:
    """An inactive account without a password, as an import creates the people it names: an admin
    activates it (or invites its owner) when the person starts to use the product."""
    user = User(
        username=username,
        email=email,
        last_name=last_name[:150],
        first_name=first_name[:150],
        role=role,
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def user_invite(
    *,
    by: User,
    base_url: str,
    email: str,
    username: str,
    last_name: str,
    first_name: str,
    role: str,
    teams: Iterable[Team] = (),
    manages: Iterable[Team] = (),
) -> User:
    """Create the account without a password and mail the link where its owner sets one."""
    with pghistory.context(user=by.pk, action="user_invite"):
        user = User(username=username, email=email, last_name=last_name, first_name=first_name, role=role)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        user.teams.set(teams)
        user.managed_teams.set(manages)
    # Sent inside the transaction: a mail server that refuses it leaves no account behind.
    _mail(user=user, template="invite", base_url=base_url, by=by)
    return user


def user_send_password_reset(*, user: User, by: User, base_url: str) -> None:
    """Mail `user` a link to set a new password (Django's reset view). Their current password keeps
    working until they use it."""
    if not user.email:
        raise ValidationError(_("This user has no e-mail address: add one in the Django admin first."))
    _mail(user=user, template="password_reset", base_url=base_url, by=by)


@transaction.atomic
def user_set_active(*, user: User, active: bool, by: User) -> User:
    """Deactivate (no login, out of the menus; their prospects stay theirs until reassigned) or
    reactivate an account."""
    if user.pk == by.pk and not active:
        raise ValidationError(SELF_DEACTIVATE_MESSAGE)
    if user.is_active != active:
        with pghistory.context(user=by.pk, action="user_set_active"):
            User.objects.filter(pk=user.pk).update(is_active=active)
        # An open session of the account stops at its next request: the authentication backend
        # refuses inactive users.
        user.is_active = active
    return user


@transaction.atomic
def users_set_active(
    *, users: QuerySet[User], active: bool, by: User, team: Team | None = None
) -> list[User]:
    """Activate or deactivate many accounts in one step (the reps an import created, a selection in
    the Django admin), and put them into `team` when one is given; the ones already so are left as
    they are. Returns the users changed."""
    if not active and users.filter(pk=by.pk).exists():
        raise ValidationError(SELF_DEACTIVATE_MESSAGE)
    with pghistory.context(user=by.pk, action="users_set_active"):
        changed = list(User.objects.filter(pk__in=users.values("pk"), is_active=not active).order_by("pk"))
        User.objects.filter(pk__in=[u.pk for u in changed]).update(is_active=active)
        if team is not None and changed:
            team.members.add(*changed)
    for user in changed:
        user.is_active = active
    return changed


class Invitations(NamedTuple):
    sent: list[User]
    no_email: list[User]
    failed: list[User]


def users_send_invitations(*, users: Iterable[User], by: User, base_url: str) -> Invitations:
    """Mail each of `users` the invitation with the link to set a password (the accounts an import
    created have none). A user without an e-mail address is skipped, one the mail server refused is
    reported: the others are still sent."""
    done = Invitations([], [], [])
    for user in users:
        if not user.email:
            done.no_email.append(user)
            continue
        try:
            _mail(user=user, template="invite", base_url=base_url, by=by)
        except ValidationError:
            done.failed.append(user)
        else:
            done.sent.append(user)
    return done
