from django.contrib import admin

from products.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "list_price", "is_active", "updated_at"]
    list_filter = ["is_active"]
    list_editable = ["list_price", "is_active"]
    search_fields = ["name"]
