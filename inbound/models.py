"""Web inquiry forms (反響フォーム) and what they received.

An admin makes an InquiryForm (which fields it asks, the team it feeds, how a lead is assigned, the
sites that may embed it). Each submission is saved first as an Inquiry (what was sent, its language
and a keyed hash of the sender's address), then turned into a prospect (inbound.services); an Inquiry
left `received` by a failure is retried by Celery and by the sweep. SubmissionCounter is the
per-address rate limit, kept in PostgreSQL."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Team


class AskedField(models.TextChoices):
    COMPANY = "company", pgettext_lazy("inquiry field", "Company")
    NAME = "name", pgettext_lazy("inquiry field", "Name")
    FURIGANA = "furigana", _("Furigana")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    MESSAGE = "message", _("Message")
    PRODUCT = "product", _("Product of interest")
    CONSENT = "consent", _("Consent to the privacy policy")


# The longest value each field takes (the prospect's and contact's columns hold them).
FIELD_MAX = {
    "company": 200,
    "name": 100,
    "furigana": 100,
    "phone": 40,
    "email": 254,
    "message": 2000,
    "product": 100,
    "consent": 3,
}
# Asked and required: a person's name always; an e-mail and the consent whenever they are asked.
ALWAYS_ASKED = ("name",)
REQUIRED_WHEN_ASKED = frozenset({"name", "email", "consent"})
DEFAULT_ASKED = ["company", "name", "furigana", "phone", "email", "message", "consent"]


class Assignment(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin among the team's active reps")
    MANAGER = "manager", _("To the team's manager, who hands it out")


def new_form_key() -> str:
    return secrets.token_urlsafe(16)


def parse_origin(text: str) -> str | None:
    """'https://www.example.co.jp' (scheme, host, optional port; no path) in its serialised form, or None."""
    text = text.strip().rstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        return None
    if parts.username or parts.password or parts.fragment:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def validate_origins(value: str) -> None:
    bad = [line for line in value.splitlines() if line.strip() and parse_origin(line) is None]
    if bad:
        raise ValidationError(
            _("Not a site address (scheme and host, e.g. https://www.example.co.jp): %(bad)s"),
            params={"bad": ", ".join(bad[:3])},
        )


class InquiryForm(models.Model):
    name = models.CharField(_("form name"), max_length=100)
    key = models.CharField(_("public key"), max_length=32, unique=True, default=new_form_key, editable=False)
    is_active = models.BooleanField(_("accepting inquiries"), default=True)
    asked_fields = ArrayField(
        models.CharField(max_length=16, choices=AskedField.choices),
        verbose_name=_("asked fields"),
        default=list,
    )
    products = models.TextField(
        _("products"),
        blank=True,
        max_length=2000,
        help_text=_("One per line: the visitor picks one. Empty: the visitor types it."),
    )
    privacy_policy_url = models.URLField(_("privacy policy URL"), blank=True)
    thank_you_text = models.TextField(_("thank-you text"), max_length=2000)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="inquiry_forms", verbose_name=_("team")
    )
    assignment = models.CharField(
        _("assignment"), max_length=16, choices=Assignment.choices, default=Assignment.ROUND_ROBIN
    )
    allowed_origins = models.TextField(
        _("sites that may embed it"),
        blank=True,
        max_length=2000,
        validators=[validate_origins],
        help_text=_(
            "One per line, e.g. https://www.example.co.jp. Submissions from other sites are refused."
        ),
    )
    # The round robin's cursor: the rep who got the last lead (the next one goes to the following rep).
    last_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("web inquiry form")
        verbose_name_plural = _("web inquiry forms")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignment__in=Assignment.values), name="inquiryform_assignment_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def asked(self) -> list[str]:
        """The asked fields in the form's order (the name always)."""
        chosen = set(self.asked_fields) | set(ALWAYS_ASKED)
        return [code for code in AskedField.values if code in chosen]

    @property
    def product_choices(self) -> list[str]:
        return [line.strip() for line in self.products.splitlines() if line.strip()][:50]

    @property
    def origins(self) -> set[str]:
        return {o for line in self.allowed_origins.splitlines() if (o := parse_origin(line))}


class InquiryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Made a prospect")


class Inquiry(models.Model):
    """One submission, exactly as it was accepted (validated and trimmed to the field limits)."""

    form = models.ForeignKey(
        InquiryForm, on_delete=models.PROTECT, related_name="inquiries", verbose_name=_("form")
    )
    data = models.JSONField(_("submitted values"), default=dict)
    lang = models.CharField(_("language"), max_length=8, blank=True)
    origin = models.CharField(_("sent from"), max_length=200, blank=True)
    address_hash = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=InquiryStatus.choices, default=InquiryStatus.RECEIVED
    )
    prospect = models.OneToOneField(
        "prospects.Prospect",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inquiry",
        verbose_name=_("prospect"),
    )
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    last_error = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("web inquiry")
        verbose_name_plural = _("web inquiries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["form", "-created_at"], name="inquiry_form_idx"),
            models.Index(
                fields=["created_at"], condition=Q(status="received"), name="inquiry_unprocessed_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=InquiryStatus.values), name="inquiry_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.form} #{self.pk}"


class SubmissionCounter(models.Model):
    """Submissions from one address (a keyed hash of it) in one fixed window: the rate limit."""

    address_hash = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["address_hash", "window_start"], name="submission_counter_unique"
            ),
        ]
        indexes = [models.Index(fields=["window_start"], name="submission_counter_window_idx")]

    def __str__(self) -> str:
        return f"{self.address_hash[:8]} {self.window_start:%Y-%m-%d %H:%M} {self.count}"
