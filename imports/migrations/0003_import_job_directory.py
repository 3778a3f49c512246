from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0002_job_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="directory",
            field=models.JSONField(blank=True, default=dict, verbose_name="companies and contacts"),
        ),
    ]
