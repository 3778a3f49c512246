"""The prospect's "next action" text and date are gone: the next planned activity is the one source
(activities 0008 carried every remaining value into planned activities first). The history keeps
them: prospectevent's two columns stay, NULL in events written from now on (docs/glossary.md, "The
next action's history"), so the timeline still shows the next actions recorded before."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


def _events_without_the_field_get_blank(apps, schema_editor):
    apps.get_model("prospects", "ProspectEvent").objects.filter(next_action__isnull=True).update(
        next_action=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("prospects", "0021_prospect_prospect_lead_activity_source"),
        ("activities", "0008_remaining_next_actions_to_planned"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="prospect",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="prospect",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="prospect",
            name="delete_delete",
        ),
        migrations.RemoveConstraint(
            model_name="prospect",
            name="prospect_next_action_on_in_bounds",
        ),
        migrations.RemoveIndex(
            model_name="prospect",
            name="prospect_owner_status_action",
        ),
        migrations.AlterField(
            model_name="prospectevent",
            name="next_action",
            field=models.CharField(editable=False, max_length=200, null=True, verbose_name="next action"),
        ),
        migrations.AlterField(
            model_name="prospectevent",
            name="next_action_on",
            field=models.DateField(editable=False, null=True, verbose_name="next action date"),
        ),
        # Backwards, events written without the field (NULL) get "" before the column is NOT NULL again.
        migrations.RunPython(migrations.RunPython.noop, _events_without_the_field_get_blank),
        pgtrigger.migrations.AddTrigger(
            model_name="prospect",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "prospects_prospectevent" ("address", "amount", "closed_on", "company_id", "competitor", "contact_id", "contact_person", "created_at", "email", "expected_month", "expected_month_slips", "horizon", "id", "lead_activity_id", "lost_reason", "name", "notes", "origin_id", "outcome_note", "owner_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phone", "probability", "recontact_on", "source", "status", "version", "won_amount") SELECT new_values."address", new_values."amount", new_values."closed_on", new_values."company_id", new_values."competitor", new_values."contact_id", new_values."contact_person", new_values."created_at", new_values."email", new_values."expected_month", new_values."expected_month_slips", new_values."horizon", new_values."id", new_values."lead_activity_id", new_values."lost_reason", new_values."name", new_values."notes", new_values."origin_id", new_values."outcome_note", new_values."owner_id", _pgh_attached_context.value, NOW(), \'insert\', new_values."id", new_values."phone", new_values."probability", new_values."recontact_on", new_values."source", new_values."status", new_values."version", new_values."won_amount" FROM ( SELECT new_values.* FROM new_values  ) AS new_values, _pgh_attached_context; RETURN NULL;',
                    hash="a959a262256d1b7348a56f2c12168a5d90718eb8",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_efc81",
                    referencing="REFERENCING NEW TABLE AS new_values ",
                    table="prospects_prospect",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="prospect",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "prospects_prospectevent" ("address", "amount", "closed_on", "company_id", "competitor", "contact_id", "contact_person", "created_at", "email", "expected_month", "expected_month_slips", "horizon", "id", "lead_activity_id", "lost_reason", "name", "notes", "origin_id", "outcome_note", "owner_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phone", "probability", "recontact_on", "source", "status", "version", "won_amount") SELECT new_values."address", new_values."amount", new_values."closed_on", new_values."company_id", new_values."competitor", new_values."contact_id", new_values."contact_person", new_values."created_at", new_values."email", new_values."expected_month", new_values."expected_month_slips", new_values."horizon", new_values."id", new_values."lead_activity_id", new_values."lost_reason", new_values."name", new_values."notes", new_values."origin_id", new_values."outcome_note", new_values."owner_id", _pgh_attached_context.value, NOW(), \'update\', new_values."id", new_values."phone", new_values."probability", new_values."recontact_on", new_values."source", new_values."status", new_values."version", new_values."won_amount" FROM ( SELECT new_values.* FROM old_values JOIN new_values ON (old_values."id") = (new_values."id") WHERE (old_values."address" IS DISTINCT FROM (new_values."address") OR old_values."amount" IS DISTINCT FROM (new_values."amount") OR old_values."closed_on" IS DISTINCT FROM (new_values."closed_on") OR old_values."company_id" IS DISTINCT FROM (new_values."company_id") OR old_values."competitor" IS DISTINCT FROM (new_values."competitor") OR old_values."contact_id" IS DISTINCT FROM (new_values."contact_id") OR old_values."contact_person" IS DISTINCT FROM (new_values."contact_person") OR old_values."created_at" IS DISTINCT FROM (new_values."created_at") OR old_values."email" IS DISTINCT FROM (new_values."email") OR old_values."expected_month" IS DISTINCT FROM (new_values."expected_month") OR old_values."expected_month_slips" IS DISTINCT FROM (new_values."expected_month_slips") OR old_values."horizon" IS DISTINCT FROM (new_values."horizon") OR old_values."id" IS DISTINCT FROM (new_values."id") OR old_values."lead_activity_id" IS DISTINCT FROM (new_values."lead_activity_id") OR old_values."lost_reason" IS DISTINCT FROM (new_values."lost_reason") OR old_values."name" IS DISTINCT FROM (new_values."name") OR old_values."notes" IS DISTINCT FROM (new_values."notes") OR old_values."origin_id" IS DISTINCT FROM (new_values."origin_id") OR old_values."outcome_note" IS DISTINCT FROM (new_values."outcome_note") OR old_values."owner_id" IS DISTINCT FROM (new_values."owner_id") OR old_values."phone" IS DISTINCT FROM (new_values."phone") OR old_values."probability" IS DISTINCT FROM (new_values."probability") OR old_values."recontact_on" IS DISTINCT FROM (new_values."recontact_on") OR old_values."source" IS DISTINCT FROM (new_values."source") OR old_values."status" IS DISTINCT FROM (new_values."status") OR old_values."version" IS DISTINCT FROM (new_values."version") OR old_values."won_amount" IS DISTINCT FROM (new_values."won_amount")) ) AS new_values, _pgh_attached_context; RETURN NULL;',
                    hash="51fafaf704f22bb4e78bbfa07183fc79939d727d",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_41473",
                    referencing="REFERENCING OLD TABLE AS old_values  NEW TABLE AS new_values ",
                    table="prospects_prospect",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="prospect",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "prospects_prospectevent" ("address", "amount", "closed_on", "company_id", "competitor", "contact_id", "contact_person", "created_at", "email", "expected_month", "expected_month_slips", "horizon", "id", "lead_activity_id", "lost_reason", "name", "notes", "origin_id", "outcome_note", "owner_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phone", "probability", "recontact_on", "source", "status", "version", "won_amount") SELECT old_values."address", old_values."amount", old_values."closed_on", old_values."company_id", old_values."competitor", old_values."contact_id", old_values."contact_person", old_values."created_at", old_values."email", old_values."expected_month", old_values."expected_month_slips", old_values."horizon", old_values."id", old_values."lead_activity_id", old_values."lost_reason", old_values."name", old_values."notes", old_values."origin_id", old_values."outcome_note", old_values."owner_id", _pgh_attached_context.value, NOW(), \'delete\', old_values."id", old_values."phone", old_values."probability", old_values."recontact_on", old_values."source", old_values."status", old_values."version", old_values."won_amount" FROM ( SELECT old_values.* FROM old_values  ) AS old_values, _pgh_attached_context; RETURN NULL;',
                    hash="7c99513c67af9dee550eb96a9cbc0ccdbe6f8e69",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_9c392",
                    referencing="REFERENCING OLD TABLE AS old_values ",
                    table="prospects_prospect",
                    when="AFTER",
                ),
            ),
        ),
        migrations.RemoveField(
            model_name="prospect",
            name="next_action",
        ),
        migrations.RemoveField(
            model_name="prospect",
            name="next_action_on",
        ),
    ]
