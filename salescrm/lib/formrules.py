"""The rules every submitted value obeys, whatever form reads it: written once, here.

Every form of the apps derives from `CrmForm` / `CrmModelForm` (tests/security/test_nul_in_forms.py
fails for one that does not):
- no NUL character in any submitted value: PostgreSQL refuses it in text (a 500 before this rule);
- every date within DATE_MIN..DATE_MAX (a deal won on 1900-01-01 or a re-contact in 9999 is a typo);
  the models hold the same bounds as CHECK constraints built by `date_in_bounds`;
- a bound form that finds errors marks the request, so salescrm.middleware answers it with 422;
- a versioned form's `version` is a `VersionField`: missing or malformed is no version, a conflict.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar

from django import forms
from django.db.models import CheckConstraint, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from salescrm.lib import params

# Set when a bound form finds errors; salescrm.middleware answers such a response with one status (422).
form_errors_seen: ContextVar[bool] = ContextVar("form_errors_seen", default=False)

DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)

NUL_MESSAGE = _("This value contains a character that cannot be saved (a NUL byte).")
DATE_RANGE_MESSAGE = _("Enter a date from %(min)s to %(max)s.")


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def date_out_of_bounds(value: object) -> bool:
    """True for a date (not a date-time) outside DATE_MIN..DATE_MAX."""
    return (
        isinstance(value, dt.date)
        and not isinstance(value, dt.datetime)
        and not DATE_MIN <= value <= DATE_MAX
    )


def _range_params() -> dict[str, str]:
    return {"min": date_format(DATE_MIN, "Y-m-d"), "max": date_format(DATE_MAX, "Y-m-d")}


def date_range_error() -> forms.ValidationError:
    return forms.ValidationError(DATE_RANGE_MESSAGE, code="date_range", params=_range_params())


def date_range_message() -> str:
    """The same message as text, e.g. for an import's row error."""
    return str(DATE_RANGE_MESSAGE) % _range_params()


def date_in_bounds(model_name: str, *fields: str) -> list[CheckConstraint]:
    """One CHECK constraint per date column: NULL or within DATE_MIN..DATE_MAX."""
    return [
        CheckConstraint(
            condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__range": (DATE_MIN, DATE_MAX)}),
            name=f"{model_name}_{name}_in_bounds",
        )
        for name in fields
    ]


class TextRules:
    """The shared rules, checked on every field after its own cleaning."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        if self.is_bound and self._errors:  # type: ignore[attr-defined]
            form_errors_seen.set(True)

    def _clean_fields(self) -> None:
        super()._clean_fields()  # type: ignore[misc]
        for name, bf in self._bound_items():  # type: ignore[attr-defined]
            if bf.field.disabled:
                continue
            if _has_nul(bf.data):
                self.add_error(name, forms.ValidationError(NUL_MESSAGE, code="null_characters_not_allowed"))  # type: ignore[attr-defined]
            elif date_out_of_bounds(self.cleaned_data.get(name)):  # type: ignore[attr-defined]
                self.add_error(name, date_range_error())  # type: ignore[attr-defined]


class CrmForm(TextRules, forms.Form):
    pass


class CrmModelForm(TextRules, forms.ModelForm):
    pass


class VersionField(forms.IntegerField):
    """The row version a versioned form was shown at (the optimistic lock).

    Never a form error: a missing, zero or malformed version is None, which every versioned write
    refuses as a conflict, exactly like a stale one (a missing version used to mean "the current one",
    so such a POST overwrote newer values unseen)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: object) -> int | None:
        # The column is an integer: a larger number is no version either.
        return params.int_or_none(
            value.strip() if isinstance(value, str) else value, minimum=1, maximum=2**31 - 1
        )

    def validate(self, value: object) -> None:
        pass

    def run_validators(self, value: object) -> None:
        pass
