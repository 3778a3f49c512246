"""Today's prospect text fields become companies and contacts (issue 19), without losing a character.

- the prospect's name, phone and address become a company; prospects with exactly the same three texts
  (raw, not normalised: a near-duplicate is a person's call, made with merge) share one company;
- a non-empty contact person becomes a contact of that company, with the prospect's email and phone;
  the same four texts (person, email, phone, company) share one contact;
- the prospect keeps its own text fields: nothing is dropped, so every value stays where it was too.
"""

from django.db import migrations

from companies.normalize import normalize_email, normalize_kana, normalize_name, normalize_phone

BATCH = 2000


def forwards(apps, schema_editor):
    Prospect = apps.get_model("prospects", "Prospect")
    Company = apps.get_model("companies", "Company")
    Contact = apps.get_model("companies", "Contact")
    companies: dict[tuple[str, str, str], int] = {}
    contacts: dict[tuple[str, str, str, int], int] = {}
    rows = (
        Prospect.objects.filter(company__isnull=True)
        .order_by("pk")
        .values_list("pk", "name", "phone", "address", "contact_person", "email")
    )
    pending: list[tuple[int, tuple, tuple | None]] = []

    def flush() -> None:
        new_companies = {key for _, key, _ in pending if key not in companies}
        made = Company.objects.bulk_create(
            Company(
                name=name,
                phone=phone,
                address=address,
                name_norm=normalize_name(name),
                furigana_norm=normalize_kana(""),
                phone_norm=normalize_phone(phone),
            )
            for name, phone, address in sorted(new_companies)
        )
        companies.update(zip(sorted(new_companies), (c.pk for c in made), strict=True))
        keys = {(*ck, companies[key]) for _, key, ck in pending if ck is not None}
        new_contacts = sorted(k for k in keys if k not in contacts)
        made = Contact.objects.bulk_create(
            Contact(
                name=person,
                email=email,
                phone=phone,
                company_id=company_id,
                name_norm=normalize_name(person),
                phone_norm=normalize_phone(phone),
                email_norm=normalize_email(email),
            )
            for person, email, phone, company_id in new_contacts
        )
        contacts.update(zip(new_contacts, (c.pk for c in made), strict=True))
        links = []
        for pk, key, ck in pending:
            company_id = companies[key]
            contact_id = contacts[(*ck, company_id)] if ck is not None else None
            links.append(Prospect(pk=pk, company_id=company_id, contact_id=contact_id))
        Prospect.objects.bulk_update(links, ["company", "contact"])
        pending.clear()

    for pk, name, phone, address, person, email in rows.iterator(chunk_size=BATCH):
        contact_key = (person, email, phone) if person else None
        pending.append((pk, (name, phone, address), contact_key))
        if len(pending) >= BATCH:
            flush()
    if pending:
        flush()


def backwards(apps, schema_editor):
    Prospect = apps.get_model("prospects", "Prospect")
    Prospect.objects.update(company=None, contact=None)
    apps.get_model("companies", "Contact").objects.all().delete()
    apps.get_model("companies", "Company").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0001_directory"),
        ("prospects", "0019_company_and_contact"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
