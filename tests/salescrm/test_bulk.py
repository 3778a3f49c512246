import pghistory
import pytest
from django.db import transaction

from prospects.models import Prospect
from salescrm.lib.bulk import copy_insert

pytestmark = pytest.mark.django_db


def test_copy_insert_writes_rows_with_defaults_and_records_history_with_the_actor(personas):
    rows = [Prospect(name=f"COPY {i}", owner=personas.owner, source="flyer") for i in range(3)]
    with transaction.atomic(), pghistory.context(user=personas.admin.pk, import_job=7):
        assert copy_insert(Prospect, rows) == 3
    stored = Prospect.objects.filter(name__startswith="COPY ")
    assert stored.count() == 3
    first = stored.first()
    assert first.version == 1 and first.updated_at is not None and first.horizon == "long"
    events = (
        Prospect.pgh_event_models["insert"].objects.filter(pgh_obj__in=stored).select_related("pgh_context")
    )
    assert events.count() == 3
    assert {e.pgh_context.metadata["user"] for e in events} == {personas.admin.pk}


def test_copy_insert_respects_the_database_constraints(personas):
    bad = [Prospect(name="Bad", owner=personas.owner, source="flyer", probability=150)]
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        copy_insert(Prospect, bad)
    assert not Prospect.objects.filter(name="Bad").exists()


@pytest.mark.django_db(transaction=True)
def test_copy_insert_refuses_to_run_outside_a_transaction(personas):
    with pytest.raises(RuntimeError):
        copy_insert(Prospect, [])
