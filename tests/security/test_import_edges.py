"""Import edge cases found by the outside probe (issue 16): characters without a standard meaning, a file
with thousands of columns, a NUL in the saved mapping's name and odd values in the value mapping."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imports.models import ImportMapping
from imports.services import ImportRefused, import_job_preview
from tests.imports.conftest import HEADER, create_job, csv_bytes

pytestmark = pytest.mark.django_db

ROW = ["鈴木建設", "owner", "80%", "120万", "2026年11月", "商談中", "展示会"]


@pytest.mark.parametrize(
    "cell",
    [b"\xf0\x40", b"\xf9\xfc"],  # CP932's user-defined area: private-use code points U+E000.., U+E757
    ids=["first user-defined", "last user-defined"],
)
def test_a_cp932_user_defined_character_is_a_row_error_naming_row_and_column(personas, cell):
    content = csv_bytes([HEADER, ROW, ["山田#", *ROW[1:]]], "cp932").replace(b"#", cell)
    job = create_job(personas.owner, content)
    assert job.encoding == "cp932"
    job = import_job_preview(job=job)
    assert job.error_count == 1
    [error] = job.errors
    assert (error["row"], error["column"]) == (3, "会社名")
    assert "U+E" in error["reason"]


def test_ordinary_cp932_text_with_nec_special_characters_still_imports(personas):
    content = csv_bytes([HEADER, ["①工務店㈱", *ROW[1:]]], "cp932")
    job = import_job_preview(job=create_job(personas.owner, content))
    assert job.error_count == 0


def test_a_file_with_more_columns_than_the_limit_is_refused_at_upload(personas, settings):
    settings.IMPORT_MAX_COLUMNS = 200
    wide = [*HEADER, *(f"extra{i}" for i in range(200 - len(HEADER) + 1))]
    with pytest.raises(ImportRefused) as refused:
        create_job(personas.owner, csv_bytes([wide, [*ROW, *[""] * (len(wide) - len(ROW))]]))
    assert "201" in str(refused.value.reason) and "200" in str(refused.value.reason)


def test_a_file_at_the_column_limit_is_accepted(personas, settings):
    settings.IMPORT_MAX_COLUMNS = 200
    wide = [*HEADER, *(f"extra{i}" for i in range(200 - len(HEADER)))]
    job = create_job(personas.owner, csv_bytes([wide, [*ROW, *[""] * (len(wide) - len(ROW))]]))
    assert len(job.headers) == 200


def test_the_upload_page_refuses_a_wide_file_with_the_limit(personas, client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_MAX_COLUMNS = 10
    client.force_login(personas.owner)
    content = csv_bytes([[f"c{i}" for i in range(3000)], ["x"] * 3000])
    response = client.post(
        reverse("imports:upload"),
        {"file": SimpleUploadedFile("wide.csv", content), "encoding": "auto"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "3000" in response.content.decode()


def _mapping_post(job, **extra):
    data = {f"col-{i}": field for i, field in enumerate(["name", "owner", "probability", "amount"])}
    data.update(extra)
    return data


def test_a_nul_in_the_saved_mapping_name_is_a_form_error(personas, client):
    job = create_job(personas.owner, csv_bytes([HEADER, ROW]))
    client.force_login(personas.owner)
    response = client.post(reverse("imports:mapping", args=[job.pk]), _mapping_post(job, save_as="名前\x00"))
    assert response.status_code == 422
    assert not ImportMapping.objects.exists()


@pytest.mark.parametrize("odd", ["²", "١٢", "99999999999999999999999", "bogus", "\x00"])
def test_an_odd_value_mapping_is_dropped_and_the_dry_run_still_runs(personas, client, odd):
    job = create_job(personas.manager, csv_bytes([HEADER, ROW]))
    client.force_login(personas.manager)
    owner_column = HEADER.index("担当者")
    status_column = HEADER.index("ステータス")
    data = {
        "col-0": "name",
        f"col-{owner_column}": "owner",
        f"col-{status_column}": "status",
        f"val-{owner_column}-0": odd,
        f"val-{status_column}-0": odd,
    }
    response = client.post(reverse("imports:mapping", args=[job.pk]), data)
    assert response.status_code in (302, 422)
    job.refresh_from_db()
    for values in job.mapping.get("values", {}).values():
        assert odd not in values.values()
    job = import_job_preview(job=job)
    assert job.status != "failed", job.errors
