"""Seed the test-closing question bank. Idempotent: a question already there (same Japanese text) is
left alone, so re-running the migration or having edited the English never duplicates a question."""

from django.db import migrations

QUESTIONS = [
    ("price", "もしあと1割くらい安かったら購入を検討されますか?", "If it were about 10% cheaper, would you consider buying?"),
    (
        "decision",
        "精一杯のことをしますから、まずは当社にお決めいただくことから始められませんか?",
        "We will do our very best — could you start by deciding on us?",
    ),
    ("invitation", "一度、ショールームに来られませんか?", "Would you come to our showroom once?"),
    ("invitation", "ちょっと提案書を書いてみたのですが、見てもらえますか", "I drafted a proposal — would you take a look?"),
    (
        "timing",
        "もし導入されるとしたら、いつ頃がご都合よろしいですか?",
        "If you were to go ahead, when would suit you best?",
    ),
    (
        "timing",
        "決算(予算の締め)はいつ頃ですか? それまでに決められそうでしょうか?",
        "When does your fiscal year (budget) close — could you decide before then?",
    ),
    (
        "timing",
        "今月中にお決めいただければ、来月には納品できますがいかがですか?",
        "If you decide this month we can deliver next month — how does that sound?",
    ),
]


def seed(apps, schema_editor):
    Question = apps.get_model("closing", "TestClosingQuestion")
    for kind, text_ja, text_en in QUESTIONS:
        Question.objects.get_or_create(text_ja=text_ja, defaults={"text_en": text_en, "kind": kind})


class Migration(migrations.Migration):
    dependencies = [("closing", "0002_reopening_recontact")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
