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


def test_copy_update_writes_the_given_fields_only_and_records_history_with_the_actor(personas):
    from salescrm.lib.bulk import copy_update
    from tests.conftest import make_prospect

    first = make_prospect(personas.owner, name="U1", probability=10)
    second = make_prospect(personas.owner, name="U2", probability=20)
    untouched = make_prospect(personas.owner, name="U3", probability=30)
    first.probability, second.probability = 70, 80
    first.name = "renamed in memory only"  # not among the fields: stays as stored
    with transaction.atomic(), pghistory.context(user=personas.admin.pk, import_job=9):
        assert copy_update(Prospect, [first, second], ["probability"]) == 2
        assert copy_update(Prospect, [second], ["probability"]) == 1  # twice in one transaction
    stored = dict(Prospect.objects.filter(name__startswith="U").values_list("name", "probability"))
    assert stored == {"U1": 70, "U2": 80, "U3": 30}
    events = Prospect.pgh_event_models["update"].objects.filter(
        pgh_obj__in=[first, second, untouched], pgh_label="update"
    )
    assert sorted(e.probability for e in events) == [70, 80]
    assert {e.pgh_context.metadata["user"] for e in events.select_related("pgh_context")} == {
        personas.admin.pk
    }


def test_copy_update_respects_the_database_constraints(personas):
    from django.db import IntegrityError

    from salescrm.lib.bulk import copy_update
    from tests.conftest import make_prospect

    prospect = make_prospect(personas.owner, name="Bounded", probability=10)
    prospect.probability = 150
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_update(Prospect, [prospect], ["probability"])
    prospect.refresh_from_db()
    assert prospect.probability == 10


def test_copy_update_refuses_the_primary_key_as_a_field(personas):
    from salescrm.lib.bulk import copy_update

    with pytest.raises(ValueError), transaction.atomic():
        copy_update(Prospect, [Prospect(pk=1)], ["id"])


@pytest.mark.django_db(transaction=True)
def test_copy_update_refuses_to_run_outside_a_transaction(personas):
    from salescrm.lib.bulk import copy_update

    with pytest.raises(RuntimeError):
        copy_update(Prospect, [], ["probability"])
