"""Companies (法人) and contacts (担当者): the customers prospects belong to (issue 19).

Who sees them: every active user sees every company and contact (their existence and name are shared
across the firm, so two reps do not chase one customer); the deals stay private (accounts/access.py)."""

from __future__ import annotations

from collections.abc import Iterable

import pghistory
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Collate
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.normalize import normalize_email, normalize_kana, normalize_name, normalize_phone

CORPORATE_NUMBER_DIGITS = _("A corporate number is 13 digits.")
CORPORATE_NUMBER_CHECK = _("This corporate number's check digit is wrong: check the number for a typo.")


def corporate_number_check_digit(base: str) -> int:
    """The check digit (the first of 13) of a 12-digit 法人番号 base, by the National Tax Agency's rule:
    9 - (sum of the digits from the right, weighted 1, 2, 1, 2, ...) mod 9."""
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(base), start=1))
    return 9 - total % 9


def validate_corporate_number(value: str) -> None:
    if len(value) != 13 or not value.isascii() or not value.isdigit():
        raise ValidationError(CORPORATE_NUMBER_DIGITS, code="corporate_number_digits")
    if int(value[0]) != corporate_number_check_digit(value[1:]):
        raise ValidationError(CORPORATE_NUMBER_CHECK, code="corporate_number_check")


class DirectoryQuerySet(models.QuerySet):
    def visible_to(self, user) -> DirectoryQuerySet:
        from accounts.access import visible_directory_q

        return self.filter(visible_directory_q(user))

    def current(self) -> DirectoryQuerySet:
        """Without the records merged into another one."""
        return self.filter(merged_into__isnull=True)


# A normalised name compared byte for byte, read from its own btree (the `*_name_norm_exact` indexes).
# For `name_norm IN (...)` PostgreSQL picks the trigram GIN index, whose probes slow down with every row
# sharing a trigram (「号店」, 「商事」): an import of new companies slowed quadratically (docs/performance.md).
NAME_EXACT = Collate("name_norm", "C")


def clip_to_column(record: models.Model, **texts: str) -> None:
    """Set each normalised text on `record`, cut to its column's length. Normalising can lengthen a text
    (NFKC writes ㌀ as アパート), and these columns only serve matching: a 200-character name must save."""
    for name, text in texts.items():
        setattr(record, name, text[: record._meta.get_field(name).max_length])


def name_norm_in(names: Iterable[str]) -> In:
    """The filter "the normalised name is one of `names`", for batches of names (the import's 名寄せ)."""
    return In(NAME_EXACT, list(names))


def _trigram_indexes(prefix: str, *fields: str) -> list[GinIndex]:
    """The search box's and the duplicate check's trigram indexes over the normalised columns."""
    return [GinIndex(fields=[f], opclasses=["gin_trgm_ops"], name=f"{prefix}_{f}_trgm") for f in fields]


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude_auto=True)),
    pghistory.DeleteEvent(),
    exclude=["updated_at"],
    model_name="CompanyEvent",
    meta={"verbose_name": _("company change"), "verbose_name_plural": _("company changes")},
)
class Company(models.Model):
    name = models.CharField(_("company name"), max_length=200)
    furigana = models.CharField(_("furigana"), max_length=200, blank=True)
    corporate_number = models.CharField(
        _("corporate number"), max_length=13, blank=True, validators=[validate_corporate_number]
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # 名寄せ's matching text (companies/normalize.py), kept by save() and by every bulk write.
    name_norm = models.CharField(max_length=200, blank=True, editable=False)
    furigana_norm = models.CharField(max_length=200, blank=True, editable=False)
    phone_norm = models.CharField(max_length=40, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DirectoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name_norm", "id"]
        indexes = [
            *_trigram_indexes("company", "name_norm", "furigana_norm", "phone_norm"),
            # The company list, in its order.
            models.Index(fields=["name_norm", "id"], name="company_name_norm"),
            models.Index(NAME_EXACT, name="company_name_norm_exact"),
            # The import's match by 法人番号.
            models.Index(
                fields=["corporate_number"],
                condition=~Q(corporate_number=""),
                name="company_corporate_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.normalize()
        if update_fields := kwargs.get("update_fields"):
            kwargs["update_fields"] = {*update_fields, "name_norm", "furigana_norm", "phone_norm"}
        super().save(*args, **kwargs)

    def normalize(self) -> None:
        clip_to_column(
            self,
            name_norm=normalize_name(self.name),
            furigana_norm=normalize_kana(self.furigana),
            phone_norm=normalize_phone(self.phone),
        )


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude_auto=True)),
    pghistory.DeleteEvent(),
    exclude=["updated_at"],
    model_name="ContactEvent",
    meta={"verbose_name": _("contact change"), "verbose_name_plural": _("contact changes")},
)
class Contact(models.Model):
    name = models.CharField(_("contact name"), max_length=100)
    furigana = models.CharField(_("furigana"), max_length=100, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Optional: individual customers buy too (after a showroom visit, say).
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("company"),
    )
    name_norm = models.CharField(max_length=100, blank=True, editable=False)
    furigana_norm = models.CharField(max_length=100, blank=True, editable=False)
    phone_norm = models.CharField(max_length=40, blank=True, editable=False)
    email_norm = models.CharField(max_length=254, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DirectoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name_norm", "id"]
        indexes = [
            *_trigram_indexes("contact", "name_norm", "furigana_norm", "phone_norm", "email_norm"),
            models.Index(fields=["name_norm", "id"], name="contact_name_norm"),
            models.Index(NAME_EXACT, name="contact_name_norm_exact"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.normalize()
        if update_fields := kwargs.get("update_fields"):
            kwargs["update_fields"] = {
                *update_fields,
                "name_norm",
                "furigana_norm",
                "phone_norm",
                "email_norm",
            }
        super().save(*args, **kwargs)

    def normalize(self) -> None:
        clip_to_column(
            self,
            name_norm=normalize_name(self.name),
            furigana_norm=normalize_kana(self.furigana),
            phone_norm=normalize_phone(self.phone),
            email_norm=normalize_email(self.email),
        )
