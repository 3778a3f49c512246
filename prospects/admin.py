from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from prospects.models import OpenCount, Prospect
from prospects.services import CONFLICT_MESSAGE
from salescrm.lib.formrules import CrmModelForm


class ProspectAdminForm(CrmModelForm):
    """The admin keeps the optimistic lock too: a change saved by someone else since the form was
    opened is refused, and every admin save bumps the version so open edit forms notice it."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Prospect
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # The admin's change view runs in a transaction: the row stays locked until it commits.
            current = Prospect.objects.select_for_update().only("version").get(pk=self.instance.pk)
            expected = cleaned.get("expected_version")
            if expected is None or current.version != expected:
                raise forms.ValidationError(CONFLICT_MESSAGE, code="conflict")
            self.instance.version = current.version + 1
        return cleaned


@admin.register(Prospect)
class ProspectAdmin(admin.ModelAdmin):
    form = ProspectAdminForm
    list_display = (
        "name",
        "owner",
        "horizon",
        "probability",
        "expected_month",
        "amount",
        "status",
        "updated_at",
    )
    list_filter = ("status", "horizon", "source", "owner")
    search_fields = ("name", "contact_person", "email", "phone", "external_id")
    list_select_related = ("owner",)
    raw_id_fields = ("owner", "origin")
    readonly_fields = ("version", "expected_month_slips", "created_at", "updated_at")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("name", "contact_person", "phone", "email", "address", "source", "owner")}),
        (
            _("Deal"),
            {
                "fields": (
                    "horizon",
                    "probability",
                    "expected_month",
                    "product",
                    "amount",
                    "status",
                    "external_id",
                )
            },
        ),
        (_("Notes"), {"fields": ("notes",)}),
        (
            _("Outcome"),
            {
                "fields": (
                    "closed_on",
                    "won_amount",
                    "lost_reason",
                    "competitor",
                    "outcome_note",
                    "recontact_on",
                    "origin",
                )
            },
        ),
        (
            None,
            {"fields": ("expected_version", "version", "expected_month_slips", "created_at", "updated_at")},
        ),
    )


@admin.register(OpenCount)
class OpenCountAdmin(admin.ModelAdmin):
    """The open counts kept by the prospect table's triggers (derived: never edited here; the nightly
    upkeep, or `prospects.counts.rebuild()`, mends them)."""

    list_display = ("owner_id", "horizon", "n", "amount", "amount_x_probability")
    list_filter = ("horizon",)
    search_fields = ("=owner_id",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
