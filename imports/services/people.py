"""The people import (admins only): a file of people with their role, team and manager becomes user
accounts, teams and team managers. The steps are the prospect import's (upload and header guesses in
upload.py, the column and value mapping, a dry run that reports every error of every row, then all
rows or none); people files are small, so both runs happen in the request, the import in one
transaction.

- New accounts are created as the prospect import creates missing owners: inactive and without a
  usable password, until an administrator activates or invites them.
- A row whose e-mail address belongs to an account already is an error: this import creates accounts
  and does not change existing ones (the users page does). An existing user may be named as a manager.
- A team the file names that does not exist is created. A person with the manager role and a team
  manages that team (Team.managers); anyone else with a team is one of its members (Team.members).
  The manager column names the person's manager (an existing user or a person of the file, by name,
  username or e-mail), who then manages the row's team: that is how accounts.access lets a manager
  see their reps."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy, pgettext_lazy

from accounts.models import Role, Team, User
from accounts.names import split_name
from accounts.services import user_create_inactive
from imports import parsing, reader
from imports.models import ImportJob, ImportKind, JobPhase, JobStatus
from imports.services.fields import FIELD_TWICE, MAX_STORED_ERRORS, ImportRefused
from imports.services.jobs import import_job_claim
from imports.services.run import fail
from imports.services.upload import import_job_create, job_file
from imports.services.validation import (
    BAD_EMAIL,
    DATABASE_REFUSED,
    TOO_LONG,
    TOO_MANY_CELLS,
    _cell_text,
    _error,
)

logger = logging.getLogger("salescrm.imports")

PEOPLE_FIELDS = ("name", "email", "role", "team", "manager", "username")
PEOPLE_LABELS = {
    "name": pgettext_lazy("people import", "Name"),
    "email": pgettext_lazy("people import", "E-mail"),
    "role": pgettext_lazy("people import", "Role"),
    "team": pgettext_lazy("people import", "Team"),
    "manager": pgettext_lazy("people import", "Manager"),
    "username": pgettext_lazy("people import", "Username"),
}
PEOPLE_PREVIEW_ROWS = 500
# The invitation form's rule (accounts.forms.InviteForm).
USERNAME_RE = re.compile(r"^[\w.@+-]+\Z")
NAME_MAX = User._meta.get_field("last_name").max_length
EMAIL_MAX = User._meta.get_field("email").max_length
USERNAME_MAX = User._meta.get_field("username").max_length
TEAM_MAX = Team._meta.get_field("name").max_length

NO_PEOPLE_COLUMNS = gettext_lazy("Map a column to “Name” and one to “E-mail”: every person needs both.")
MISSING_NAME = gettext_lazy("The name is empty.")
MISSING_EMAIL = gettext_lazy("The e-mail address is empty: every person needs one.")
EMAIL_IN_FILE = gettext_lazy("This e-mail address is in row %(row)s of this file too.")
EMAIL_EXISTS = gettext_lazy(
    "An account with this e-mail address exists already (%(user)s). This import creates new accounts "
    "only: change that one on the users page, or remove the row."
)
BAD_USERNAME = gettext_lazy("Not a username: use letters, digits and @/./+/-/_ only, at most 150 characters.")
USERNAME_IN_FILE = gettext_lazy("This username is in row %(row)s of this file too.")
USERNAME_EXISTS = gettext_lazy(
    "The username “%(username)s” is taken by another account; give this person another one in a username column."
)
UNKNOWN_ROLE = gettext_lazy("Unknown role. Use one of: %(choices)s (or map it on the mapping page).")
UNKNOWN_MANAGER = gettext_lazy("No user and no person in this file has this name, username or e-mail.")
AMBIGUOUS_MANAGER = gettext_lazy("More than one person matches; use the username or e-mail instead.")
SELF_MANAGER = gettext_lazy("A person cannot be their own manager.")
NOT_A_MANAGER = gettext_lazy("%(name)s does not have the manager role; give them the role “Manager” first.")
MANAGER_NEEDS_TEAM = gettext_lazy(
    "A manager manages a team: give this row a team, or leave its manager empty."
)
TOO_MANY_PEOPLE = ngettext_lazy(
    "The file has %(rows)s row; a people import takes at most %(limit)s. Split it into smaller files.",
    "The file has %(rows)s rows; a people import takes at most %(limit)s. Split it into smaller files.",
    "rows",
)
FAILED = gettext_lazy("The import failed unexpectedly. Nothing was imported; run it again.")


def people_field_label(name: str) -> str:
    return str(PEOPLE_LABELS[name])


def people_field_choices() -> list[tuple[str, str]]:
    return [(name, people_field_label(name)) for name in PEOPLE_FIELDS]


def _team_key(name: str) -> str:
    """Team names compare without case, width or repeated spaces: "東京営業部" is "東京営業部 "."""
    return " ".join(parsing.normalize(name).split()).casefold()


@dataclass
class Person:
    """A row of the file, as it will become an account."""

    number: int
    name: str = ""
    last_name: str = ""
    first_name: str = ""
    email: str = ""
    username: str = ""
    role: str = Role.REP
    team_key: str = ""
    manager_text: str = ""
    manager: Person | User | None = None
    user: User | None = None

    @property
    def display_name(self) -> str:
        return User.format_name(self.last_name, self.first_name, self.username)


@dataclass
class PlannedTeam:
    name: str
    team: Team | None = None  # an existing team, or the one created by the import


@dataclass
class PeopleOutcome:
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    error_rows: set[int] = field(default_factory=set)
    people: list[Person] = field(default_factory=list)

    def add_error(self, error: dict[str, Any]) -> None:
        self.error_count += 1
        self.error_rows.add(error["row"])
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(error)

    @property
    def valid_people(self) -> list[Person]:
        return [p for p in self.people if p.number not in self.error_rows]


class PeopleChecker:
    """Reads the rows of one people job and checks them against the accounts and teams there are."""

    def __init__(self, job: ImportJob) -> None:
        self.headers = [h["name"] for h in job.headers]
        columns = job.mapping.get("columns", {})
        self.columns = {i: columns[h] for i, h in enumerate(self.headers) if columns.get(h) in PEOPLE_FIELDS}
        self.role_values: dict[str, str] = job.mapping.get("values", {}).get("role", {})
        self.users_by_key: dict[str, list[User]] = {}
        self.users_by_email: dict[str, User] = {}
        self.users_by_username: dict[str, User] = {}
        for user in User.objects.only("id", "username", "email", "last_name", "first_name", "role"):
            for key in parsing.owner_keys(user.username, user.last_name, user.first_name, user.email):
                self.users_by_key.setdefault(key, []).append(user)
            if user.email:
                self.users_by_email.setdefault(user.email.casefold(), user)
            self.users_by_username[user.username.casefold()] = user
        self.planned_teams: dict[str, PlannedTeam] = {
            _team_key(team.name): PlannedTeam(team.name, team) for team in Team.objects.all()
        }
        self.seen_emails: dict[str, int] = {}
        self.seen_usernames: dict[str, int] = {}

    def _header(self, name: str) -> str:
        for index, mapped in self.columns.items():
            if mapped == name:
                return self.headers[index]
        return people_field_label(name)

    def _read(self, person: Person, name: str, text: str) -> None:
        """Set one cell's value on `person`; raises ParseError."""
        if name == "name":
            person.name = text
            person.last_name, person.first_name = split_name(text)
            if max(len(person.last_name), len(person.first_name)) > NAME_MAX:
                raise parsing.ParseError(TOO_LONG % {"max": NAME_MAX})
        elif name == "email":
            if len(text) > EMAIL_MAX:
                raise parsing.ParseError(TOO_LONG % {"max": EMAIL_MAX})
            try:
                validate_email(text)
            except ValidationError:
                raise parsing.ParseError(BAD_EMAIL) from None
            person.email = text
        elif name == "username":
            if len(text) > USERNAME_MAX or not USERNAME_RE.match(text):
                raise parsing.ParseError(BAD_USERNAME)
            person.username = text
        elif name == "role":
            role = self.role_values.get(text) or parsing.guess_value("role", text)
            if role not in Role.values:
                raise parsing.ParseError(UNKNOWN_ROLE % {"choices": "、".join(str(r.label) for r in Role)})
            person.role = role
        elif name == "team":
            if len(text) > TEAM_MAX:
                raise parsing.ParseError(TOO_LONG % {"max": TEAM_MAX})
            person.team_key = _team_key(text)
            self.planned_teams.setdefault(person.team_key, PlannedTeam(" ".join(text.split())))
        elif name == "manager":
            person.manager_text = text

    def parse(self, number: int, cells: list[Any], outcome: PeopleOutcome) -> Person:
        """The row as a Person; every error of its cells goes to `outcome` at once."""
        person = Person(number)
        width = len(self.headers)
        if len(cells) > width and any(_cell_text(v) for v in cells[width:]):
            outcome.add_error(
                _error(number, "", "", TOO_MANY_CELLS % {"cells": len(cells), "columns": width})
            )
        failed: set[str] = set()
        for index, name in self.columns.items():
            text = _cell_text(cells[index] if index < len(cells) else None)
            if not text:
                continue
            try:
                parsing.check_characters(text)
                self._read(person, name, text)
            except parsing.ParseError as exc:
                failed.add(name)
                outcome.add_error(_error(number, self.headers[index], text, exc.reason))
        if not person.name and "name" not in failed:
            outcome.add_error(_error(number, self._header("name"), "", MISSING_NAME))
        if person.email:
            self._check_unique(person, outcome, check_username="username" not in failed)
        elif "email" not in failed:
            outcome.add_error(_error(number, self._header("email"), "", MISSING_EMAIL))
        outcome.people.append(person)
        return person

    def _check_unique(self, person: Person, outcome: PeopleOutcome, *, check_username: bool) -> None:
        """The e-mail address and the username (the e-mail address when the file gives none) belong to
        no account and to no other row. A username taken from a taken address is not reported again."""
        email, column = person.email.casefold(), self._header("email")
        if email in self.seen_emails:
            reason = EMAIL_IN_FILE % {"row": self.seen_emails[email]}
            outcome.add_error(_error(person.number, column, person.email, reason))
        else:
            self.seen_emails[email] = person.number
        if existing := self.users_by_email.get(email):
            reason = EMAIL_EXISTS % {"user": f"{existing.display_name}, {existing.username}"}
            outcome.add_error(_error(person.number, column, person.email, reason))
        given = bool(person.username)
        if not given:
            person.username = person.email
            if email in self.users_by_email or self.seen_emails[email] != person.number:
                return
        if not check_username:
            return
        username, column, value = person.username.casefold(), self._header("username"), person.username
        value = value if given else ""
        if len(person.username) > USERNAME_MAX:
            outcome.add_error(_error(person.number, column, value, BAD_USERNAME))
        elif username in self.seen_usernames:
            reason = USERNAME_IN_FILE % {"row": self.seen_usernames[username]}
            outcome.add_error(_error(person.number, column, value, reason))
        elif username in self.users_by_username:
            reason = USERNAME_EXISTS % {"username": person.username}
            outcome.add_error(_error(person.number, column, value, reason))
        self.seen_usernames.setdefault(username, person.number)

    def resolve_managers(self, outcome: PeopleOutcome) -> None:
        """Each row's manager, among the accounts and the file's people (known once every row is read)."""
        by_key: dict[str, list[Person]] = {}
        for person in outcome.people:
            for key in parsing.owner_keys(person.username, person.last_name, person.first_name, person.email):
                by_key.setdefault(key, []).append(person)
        column = self._header("manager")
        for person in outcome.people:
            if not person.manager_text:
                continue
            text = person.manager_text
            if not person.team_key:
                outcome.add_error(_error(person.number, column, text, MANAGER_NEEDS_TEAM))
            key = parsing.owner_key(text)
            matches: list[Person | User] = [*by_key.get(key, []), *self.users_by_key.get(key, [])]
            if not matches:
                outcome.add_error(_error(person.number, column, text, UNKNOWN_MANAGER))
            elif len(matches) > 1:
                outcome.add_error(_error(person.number, column, text, AMBIGUOUS_MANAGER))
            elif matches[0] is person:
                outcome.add_error(_error(person.number, column, text, SELF_MANAGER))
            elif matches[0].role != Role.MANAGER:
                outcome.add_error(
                    _error(person.number, column, text, NOT_A_MANAGER % {"name": matches[0].display_name})
                )
            else:
                person.manager = matches[0]


def _check(job: ImportJob) -> tuple[PeopleChecker, PeopleOutcome]:
    """Every row read and checked; nothing written. Raises reader.FileError for a bad file."""
    checker = PeopleChecker(job)
    headers, rows = reader.read_rows(job_file(job), job.file_format, job.encoding)
    if headers != checker.headers:
        raise reader.FileError(reader.NO_HEADER)
    outcome = PeopleOutcome()
    for number, cells in rows:
        checker.parse(number, cells, outcome)
    checker.resolve_managers(outcome)
    outcome.errors.sort(key=lambda error: error["row"])  # a row's errors together, in file order
    return checker, outcome


def _management(checker: PeopleChecker, people: list[Person]) -> list[tuple[Person | User, PlannedTeam]]:
    """(manager, team) pairs to add: a manager with a team manages it, and so does a row's manager."""
    pairs: dict[tuple[int, str], tuple[Person | User, PlannedTeam]] = {}
    for person in people:
        if not person.team_key:
            continue
        team = checker.planned_teams[person.team_key]
        for manager in (person if person.role == Role.MANAGER else None, person.manager):
            if manager is not None:
                pairs.setdefault((id(manager), person.team_key), (manager, team))
    return list(pairs.values())


def _summary(checker: PeopleChecker, outcome: PeopleOutcome) -> dict[str, Any]:
    people = outcome.valid_people
    used = {p.team_key for p in people if p.team_key}
    return {
        "error_rows": len(outcome.error_rows),
        "teams_created": sorted(
            checker.planned_teams[k].name for k in used if checker.planned_teams[k].team is None
        ),
        "manages": [
            {"manager": m.display_name, "team": t.name, "new": isinstance(m, Person)}
            for m, t in _management(checker, people)
        ],
    }


def _preview(checker: PeopleChecker, people: list[Person]) -> list[dict[str, Any]]:
    return [
        {
            "row": p.number,
            "name": p.display_name,
            "email": p.email,
            "username": p.username,
            "role": str(Role(p.role).label),
            "team": checker.planned_teams[p.team_key].name if p.team_key else "",
            "team_new": bool(p.team_key) and checker.planned_teams[p.team_key].team is None,
            "manager": p.manager.display_name if p.manager is not None else "",
        }
        for p in people[:PEOPLE_PREVIEW_ROWS]
    ]


def _write(checker: PeopleChecker, people: list[Person]) -> None:
    for key in sorted({p.team_key for p in people if p.team_key}):
        planned = checker.planned_teams[key]
        if planned.team is None:
            planned.team = Team.objects.create(name=planned.name)
    for person in people:
        person.user = user_create_inactive(
            username=person.username,
            email=person.email,
            last_name=person.last_name,
            first_name=person.first_name,
            role=person.role,
        )
    for person in people:
        if person.team_key and person.role != Role.MANAGER:
            checker.planned_teams[person.team_key].team.members.add(person.user)
    for manager, planned in _management(checker, people):
        planned.team.managers.add(manager.user if isinstance(manager, Person) else manager)


def _store(job: ImportJob, checker: PeopleChecker, outcome: PeopleOutcome) -> None:
    job.errors = outcome.errors
    job.error_count = outcome.error_count
    job.preview = _preview(checker, outcome.valid_people)
    job.people = _summary(checker, outcome)
    job.created_count = len(outcome.valid_people)
    job.updated_count = 0
    job.processed_rows = min(len(outcome.people), job.total_rows)


class _Rollback(Exception):
    """Raised inside the import's transaction to roll every row back."""


def people_job_preview(*, job: ImportJob) -> ImportJob:
    """The dry run: every row checked, nothing written; the errors and what would be created are kept
    on the job."""
    with translation.override(job.options.get("language")):
        try:
            checker, outcome = _check(job)
        except reader.FileError as exc:
            return fail(job, str(exc.reason))
        _store(job, checker, outcome)
    job.status = JobStatus.PREVIEWED
    job.phase = JobPhase.PREVIEW
    job.message = ""
    job.finished_at = timezone.now()
    job.save()
    return job


def people_job_run(*, job: ImportJob) -> ImportJob:
    """The import, all rows or none: the rows are checked again (accounts may have changed since the
    dry run), and any error rolls every account, team and membership back."""
    with translation.override(job.options.get("language")):
        try:
            with transaction.atomic(), pghistory.context(user=job.created_by_id, import_job=job.pk):
                checker, outcome = _check(job)
                if outcome.error_count:
                    raise _Rollback
                _write(checker, outcome.people)
        except _Rollback:
            _store(job, checker, outcome)
            job.created_count = 0
            message = ngettext(
                "Nothing was imported: %(count)s row has errors.",
                "Nothing was imported: %(count)s rows have errors.",
                len(outcome.error_rows),
            )
            return fail(job, message % {"count": len(outcome.error_rows)})
        except reader.FileError as exc:
            return fail(job, str(exc.reason))
        except IntegrityError as exc:
            return fail(job, str(DATABASE_REFUSED % {"error": str(exc).splitlines()[0]}))
        _store(job, checker, outcome)
    job.status = JobStatus.DONE
    job.message = ""
    job.finished_at = timezone.now()
    job.save()
    job_file(job).unlink(missing_ok=True)  # the accounts are in the database now (with their history)
    return job


def people_job_start(*, job: ImportJob, phase: str) -> bool:
    """Claim the job (a double click runs it once) and run it here; False when it cannot run now."""
    if not import_job_claim(job=job, phase=phase):
        return False
    try:
        if phase == JobPhase.IMPORT:
            people_job_run(job=job)
        else:
            people_job_preview(job=job)
    except Exception:
        logger.exception("people import job %s failed", job.pk)
        with translation.override(job.options.get("language")):
            fail(job, str(FAILED))
    return True


def people_job_create(*, by: User, upload: UploadedFile, encoding: str = "auto") -> ImportJob:
    """Store and read the file as the prospect import does (upload.py), guessing the people columns.
    It is checked and imported in the request, so its size is bounded by the rows the prospect import
    runs in the request (IMPORT_ASYNC_ROWS)."""
    job = import_job_create(by=by, upload=upload, encoding=encoding, kind=ImportKind.PEOPLE)
    limit = settings.IMPORT_ASYNC_ROWS
    if job.total_rows > limit:
        job_file(job).unlink(missing_ok=True)
        job.delete()
        raise ImportRefused(TOO_MANY_PEOPLE % {"rows": job.total_rows, "limit": limit})
    return job


def people_job_set_mapping(
    *, job: ImportJob, columns: dict[str, str], values: dict[str, dict[str, str]]
) -> ImportJob:
    """Keep the column mapping and the role value mapping on the job."""
    names = {h["name"] for h in job.headers}
    columns = {h: f for h, f in columns.items() if h in names and f in PEOPLE_FIELDS}
    used = list(columns.values())
    twice = sorted({f for f in used if used.count(f) > 1})
    if twice:
        raise ImportRefused(FIELD_TWICE % {"field": "、".join(people_field_label(f) for f in twice)})
    if not {"name", "email"} <= set(used):
        raise ImportRefused(NO_PEOPLE_COLUMNS)
    roles = {str(k): str(v) for k, v in values.get("role", {}).items() if v in Role.values}
    job.mapping = {"columns": columns, "values": {"role": roles}}
    job.status = JobStatus.UPLOADED
    job.save(update_fields=["mapping", "status"])
    return job
