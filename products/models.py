"""The product list: what the company sells, at its list price. Kept by administrators (Django admin);
a prospect may name one product, and an import fills an empty amount from its list price."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class ProductQuerySet(models.QuerySet["Product"]):
    def active(self) -> ProductQuerySet:
        return self.filter(is_active=True)


class Product(models.Model):
    name = models.CharField(_("product name"), max_length=200)
    # In the company's one currency (settings.COMPANY_CURRENCY), as every amount.
    list_price = models.DecimalField(
        _("list price"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    # An inactive product is no longer offered on the prospect form; the deals that name it keep it.
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        constraints = [
            # An import names a product case-insensitively: "Widget" and "widget" would be one product.
            models.UniqueConstraint(
                Lower("name"),
                name="product_name_unique",
                violation_error_message=_("A product with this name exists already."),
            ),
            models.CheckConstraint(condition=~Q(name__regex=r"^\s*$"), name="product_name_not_blank"),
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_list_price_non_negative"),
        ]

    def __str__(self) -> str:
        return self.name
