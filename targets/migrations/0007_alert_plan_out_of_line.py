from django.db import migrations


class Migration(migrations.Migration):
    """Plans (~1.4 kB compressed) out of line, in the TOAST table: a row without its plan is ~120 bytes,
    so the check's reads touch ~100 pages instead of ~2,400 at 6,000 alerts, and an update of the counts
    that keeps the plan copies a TOAST pointer instead of the plan. Rows move when next written."""

    dependencies = [("targets", "0006_alert_open_check")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE targets_pipelinealert SET (toast_tuple_target = 128)",
            "ALTER TABLE targets_pipelinealert RESET (toast_tuple_target)",
        )
    ]
