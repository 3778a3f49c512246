from django.contrib import admin

from companies.models import Company, Contact


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "furigana", "corporate_number", "phone", "merged_into"]
    search_fields = ["name", "furigana", "name_norm", "furigana_norm", "phone_norm", "corporate_number"]
    raw_id_fields = ["merged_into"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "email", "phone", "merged_into"]
    search_fields = ["name", "furigana", "name_norm", "email_norm", "phone_norm"]
    raw_id_fields = ["company", "merged_into"]
