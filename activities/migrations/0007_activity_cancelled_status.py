"""A planned activity of a deal that was then won or lost is "cancelled" (closing.services): kept, off
every agenda, planned again when the deal is reopened."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0006_starts_at_bounds_any_time_zone"),
        ("prospects", "0021_prospect_prospect_lead_activity_source"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="activity",
            name="activity_status_valid",
        ),
        migrations.RemoveConstraint(
            model_name="activity",
            name="activity_done_has_done_at",
        ),
        migrations.AlterField(
            model_name="activity",
            name="status",
            field=models.CharField(
                choices=[("planned", "Planned"), ("done", "Done"), ("cancelled", "Cancelled (deal closed)")],
                default="planned",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="activityevent",
            name="status",
            field=models.CharField(
                choices=[("planned", "Planned"), ("done", "Done"), ("cancelled", "Cancelled (deal closed)")],
                default="planned",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["planned", "done", "cancelled"])),
                name="activity_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "done"), ("done_at__isnull", False)),
                    models.Q(("status__in", ["planned", "cancelled"]), ("done_at__isnull", True)),
                    _connector="OR",
                ),
                name="activity_done_has_done_at",
            ),
        ),
    ]
