from django.db import migrations

# (code, Japanese, English, test-close trigger, position). The codes are what code and imports name.
KINDS = [
    ("visit", "訪問", "Visit", False, 10),
    ("call", "電話", "Call", False, 20),
    ("email", "メール", "Email", False, 30),
    ("meeting", "商談", "Meeting", False, 40),
    ("showroom_visit", "来場(ショールーム)", "Showroom visit", True, 50),
    ("proposal_sent", "提案書提出", "Proposal sent", True, 60),
    ("quote_sent", "見積提出", "Quote sent", True, 70),
    ("other", "その他", "Other", False, 90),
]


def seed(apps, schema_editor):
    ActivityKind = apps.get_model("activities", "ActivityKind")
    for code, ja, en, trigger, position in KINDS:
        ActivityKind.objects.update_or_create(
            code=code,
            defaults={"label_ja": ja, "label_en": en, "triggers_test_close": trigger, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
