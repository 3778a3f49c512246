"""The product list: kept in the admin, picked on the prospect form, shown on the prospect page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import translation

from products.models import Product
from tests.prospects.test_editing import _form_data

pytestmark = pytest.mark.django_db


def test_a_product_name_is_unique_whatever_its_case():
    Product.objects.create(name="Widget", list_price=Decimal("1200"))
    duplicate = Product(name="WIDGET", list_price=Decimal("1"))
    with translation.override("en"), pytest.raises(ValidationError) as info:
        duplicate.full_clean()
    assert "A product with this name exists already." in str(info.value)
    with transaction.atomic(), pytest.raises(IntegrityError):
        duplicate.save()


def test_a_negative_list_price_is_refused_by_the_database():
    with transaction.atomic(), pytest.raises(IntegrityError):
        Product.objects.create(name="Widget", list_price=Decimal("-1"))


def test_a_product_named_by_a_prospect_cannot_be_deleted(personas):
    product = Product.objects.create(name="Widget", list_price=Decimal("1200"))
    personas.prospect.product = product
    personas.prospect.save(update_fields=["product"])
    with pytest.raises(ProtectedError):
        product.delete()


def test_the_admin_lists_and_adds_products(personas, login):
    client = login(personas.admin)
    Product.objects.create(name="Widget", list_price=Decimal("1200"))
    assert "Widget" in client.get(reverse("admin:products_product_changelist")).content.decode()
    response = client.post(
        reverse("admin:products_product_add"), {"name": "Gadget", "list_price": "5000", "is_active": "on"}
    )
    assert response.status_code == 302
    assert Product.objects.get(name="Gadget").list_price == Decimal("5000")


def test_the_prospect_form_offers_the_active_products_and_saves_the_choice(personas, login):
    client = login(personas.owner)
    active = Product.objects.create(name="Widget", list_price=Decimal("1200"))
    Product.objects.create(name="Old gadget", list_price=Decimal("1"), is_active=False)
    prospect = personas.prospect
    page = client.get(reverse("prospects:edit", args=[prospect.pk])).content.decode()
    assert "Widget" in page and "Old gadget" not in page
    response = client.post(
        reverse("prospects:edit", args=[prospect.pk]), _form_data(prospect, product=active.pk)
    )
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.product == active
    assert "Widget" in client.get(reverse("prospects:detail", args=[prospect.pk])).content.decode()


def test_a_deal_keeps_its_product_after_the_product_is_made_inactive(personas, login):
    client = login(personas.owner)
    product = Product.objects.create(name="Widget", list_price=Decimal("1200"))
    prospect = personas.prospect
    prospect.product = product
    prospect.save(update_fields=["product"])
    Product.objects.filter(pk=product.pk).update(is_active=False)
    page = client.get(reverse("prospects:edit", args=[prospect.pk])).content.decode()
    assert "Widget" in page  # still offered on this deal's form, so saving keeps it
    assert (
        client.post(
            reverse("prospects:edit", args=[prospect.pk]), _form_data(prospect, product=product.pk)
        ).status_code
        == 302
    )
    prospect.refresh_from_db()
    assert prospect.product == product


def test_an_inactive_product_cannot_be_picked_for_another_deal(personas, login):
    client = login(personas.owner)
    product = Product.objects.create(name="Widget", list_price=Decimal("1200"), is_active=False)
    prospect = personas.prospect
    response = client.post(
        reverse("prospects:edit", args=[prospect.pk]), _form_data(prospect, product=product.pk)
    )
    assert response.status_code == 422  # the form again, with the choice refused
    prospect.refresh_from_db()
    assert prospect.product is None
