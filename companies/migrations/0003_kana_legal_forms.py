"""The stored 名寄せ keys follow the normalisation, which now also strips a legal form written in kana
(ｶ)ﾐﾅﾄｺｳﾑﾃﾝ, カブシキガイシャ...): recompute the keys that change. Only rows whose key changes are written."""

from django.db import migrations

from companies.normalize import normalize_kana, normalize_name

BATCH = 2000


def recompute(apps, schema_editor):
    for model_name in ("Company", "Contact"):
        model = apps.get_model("companies", model_name)
        changed = []
        rows = model.objects.order_by("pk").only("pk", "name", "furigana", "name_norm", "furigana_norm")
        for row in rows.iterator(chunk_size=BATCH):
            name_norm, furigana_norm = normalize_name(row.name), normalize_kana(row.furigana)
            if (name_norm, furigana_norm) != (row.name_norm, row.furigana_norm):
                row.name_norm, row.furigana_norm = name_norm, furigana_norm
                changed.append(row)
        model.objects.bulk_update(changed, ["name_norm", "furigana_norm"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("companies", "0002_prospects_text_to_directory")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
