"""The pages: upload, mapping, dry run, import, progress polling, error CSV, job list; who sees what."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from imports.models import ImportJob, JobPhase, JobStatus
from imports.services import import_job_preview
from imports.services.validation import AMBIGUOUS_OWNER
from prospects.models import Prospect
from tests.imports.conftest import HEADER, create_job, csv_bytes, upload

pytestmark = pytest.mark.django_db

GOOD = [HEADER, ["鈴木建設", "owner", "80%", "120万", "2026年11月", "商談中", "展示会"]]
BAD = [HEADER, ["鈴木建設", "owner", "120", "120万", "2026年11月", "商談中", "展示会"]]


def post_upload(client, rows, name="list.csv", **data):
    return client.post(
        reverse("imports:upload"), {"file": upload(csv_bytes(rows), name), "encoding": "auto", **data}
    )


def test_the_nav_links_to_imports(personas, login):
    response = login(personas.owner).get(reverse("home"))
    assert reverse("imports:list") in response.content.decode()


def test_upload_map_check_and_import_in_the_browser(personas, login):
    client = login(personas.owner)
    response = post_upload(client, GOOD)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:mapping", args=[job.pk])

    page = client.get(reverse("imports:mapping", args=[job.pk]))
    assert page.status_code == 200
    assert 'name="col-0"' in page.content.decode()

    columns = {
        f"col-{i}": f
        for i, f in enumerate(
            ["name", "owner", "probability", "amount", "expected_month", "status", "source"]
        )
    }
    response = client.post(reverse("imports:mapping", args=[job.pk]), columns)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEWED
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "鈴木建設" in page  # the preview

    assert not Prospect.objects.filter(name="鈴木建設").exists()  # the dry run writes nothing
    response = client.post(reverse("imports:run", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Prospect.objects.filter(name="鈴木建設", owner=personas.owner).exists()


def test_an_import_cannot_run_twice(personas, login):
    client = login(personas.owner)
    post_upload(client, GOOD)
    job = ImportJob.objects.get()
    client.post(reverse("imports:mapping", args=[job.pk]), {"col-0": "name"})
    client.post(reverse("imports:run", args=[job.pk]))
    client.post(reverse("imports:run", args=[job.pk]))
    assert Prospect.objects.filter(name="鈴木建設").count() == 1


def test_errors_are_shown_and_block_the_import(personas, login):
    client = login(personas.owner)
    post_upload(client, BAD)
    job = ImportJob.objects.get()
    client.post(reverse("imports:mapping", args=[job.pk]), {"col-0": "name", "col-2": "probability"})
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "0から100" in page or "between 0 and 100" in page
    client.post(reverse("imports:run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEWED
    assert not Prospect.objects.filter(name="鈴木建設").exists()


def test_the_error_report_downloads_as_csv(personas, login):
    client = login(personas.owner)
    job = create_job(personas.owner, csv_bytes(BAD))
    from imports.services import import_job_preview

    import_job_preview(job=job)
    response = client.get(reverse("imports:errors", args=[job.pk]))
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("2,確度,120,")
    cp932 = b"".join(
        client.get(reverse("imports:errors", args=[job.pk]) + "?encoding=cp932").streaming_content
    )
    assert "確度".encode("cp932") in cp932


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "a.csv"), (b"hello", "a.pdf"), (b"PK\x03\x04junk", "a.xlsx"), (b"\xff\xfe\x81\x00" * 50, "a.csv")],
    ids=["empty", "pdf", "corrupt-xlsx", "bad-encoding"],
)
def test_bad_uploads_get_a_form_error_not_a_500(personas, login, content, name):
    client = login(personas.owner)
    response = client.post(reverse("imports:upload"), {"file": upload(content, name), "encoding": "auto"})
    assert response.status_code == 422
    assert response.context["form"].errors["file"]
    assert not ImportJob.objects.exists()


def test_a_file_over_the_size_limit_gets_a_form_error(personas, login, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 40 * 1024
    client = login(personas.owner)
    big = csv_bytes([HEADER, *[["会社", "owner", "50", "1", "2026/11", "商談中", "紹介"]] * 2000])
    assert len(big) > 40 * 1024
    response = client.post(reverse("imports:upload"), {"file": upload(big), "encoding": "auto"})
    assert response.status_code == 422
    assert "40" in str(response.context["form"].errors["file"])


@pytest.mark.slow
def test_a_50_mb_upload_is_refused_at_the_real_40_mb_limit(personas, login):
    client = login(personas.owner)
    line = "会社,owner,50,1,2026/11,商談中,紹介\n".encode()
    big = upload(b"name\n" + line * (50 * 1024 * 1024 // len(line)))
    response = client.post(reverse("imports:upload"), {"file": big, "encoding": "auto"})
    assert response.status_code == 422
    assert not ImportJob.objects.exists()


def test_only_admins_see_the_create_owners_option(personas, login):
    assert "create_owners" not in login(personas.manager).get(reverse("imports:upload")).content.decode()
    assert "create_owners" in login(personas.admin).get(reverse("imports:upload")).content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("admin", 200), ("teammate", 404), ("manager", 404), ("outsider", 404)],
)
def test_a_job_is_visible_only_to_its_creator_and_admins(personas, login, who, status):
    job = create_job(personas.owner, csv_bytes(GOOD))
    client = login(getattr(personas, who))
    for name in ("imports:job", "imports:mapping", "imports:errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == status
    if status == 404:
        assert client.post(reverse("imports:run", args=[job.pk])).status_code == 404
        assert client.post(reverse("imports:mapping", args=[job.pk]), {"col-0": "name"}).status_code == 404


def test_the_job_list_shows_own_jobs_and_all_to_admins(personas, login):
    mine = create_job(personas.owner, csv_bytes(GOOD), "mine.csv")
    theirs = create_job(personas.teammate, csv_bytes(GOOD), "theirs.csv")
    page = login(personas.owner).get(reverse("imports:list")).content.decode()
    assert mine.original_name in page and theirs.original_name not in page
    page = login(personas.admin).get(reverse("imports:list")).content.decode()
    assert mine.original_name in page and theirs.original_name in page


def test_progress_polls_while_running_and_stops_with_286_when_done(personas, login):
    job = create_job(personas.owner, csv_bytes(GOOD))
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, phase=JobPhase.IMPORT, processed_rows=1
    )
    client = login(personas.owner)
    response = client.get(reverse("imports:job", args=[job.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body and "<progress" in body
    assert "<html" not in body

    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
    response = client.get(reverse("imports:job", args=[job.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert "every 1s" not in response.content.decode()


def test_a_large_file_is_queued_for_the_worker(
    personas, login, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.IMPORT_ASYNC_ROWS = 1
    sent = []
    monkeypatch.setattr("salescrm.lib.jobs.enqueue", lambda task, **kw: sent.append((task.name, kw)))
    client = login(personas.owner)
    post_upload(client, [HEADER, *GOOD[1:], ["B社", "owner", "1", "1", "2026/11", "商談中", "紹介"]])
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:mapping", args=[job.pk]), {"col-0": "name"})
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert sent == [("imports.run_import_job", {"job_id": job.pk, "phase": "preview", "attempt": 1})]


def test_the_job_list_takes_the_same_queries_for_more_jobs(
    personas, login, django_assert_num_queries, django_assert_max_num_queries
):
    client = login(personas.admin)
    create_job(personas.owner, csv_bytes(GOOD))
    client.get(reverse("imports:list"))
    with django_assert_max_num_queries(6) as ctx:
        client.get(reverse("imports:list"))
    for _ in range(3):
        create_job(personas.teammate, csv_bytes(GOOD))
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get(reverse("imports:list"))


def test_an_unexpected_error_marks_the_job_failed_instead_of_running(personas, login, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("imports.services.run.import_job_preview", boom)
    client = login(personas.owner)
    job = create_job(personas.owner, csv_bytes(GOOD))
    response = client.post(reverse("imports:mapping", args=[job.pk]), {"col-0": "name"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message


def test_the_mapping_page_preselects_owners_and_statuses(personas, login):
    rows = [["会社名", "担当者", "ステータス"], ["A", "田中 翔太", "受注"], ["B", "teammate", "失注"]]
    job = create_job(personas.manager, csv_bytes(rows))
    page = login(personas.manager).get(reverse("imports:mapping", args=[job.pk])).content.decode()
    assert f'<option value="{personas.owner.pk}" selected>' in page
    assert f'<option value="{personas.teammate.pk}" selected>' in page
    assert '<option value="won" selected>' in page and '<option value="lost" selected>' in page
    assert f'value="{personas.outsider.pk}"' not in page  # another team's rep is not offered


@pytest.mark.parametrize("create_owners", [True, False])
def test_the_mapping_page_says_what_becomes_of_an_owner_no_account_has(personas, login, create_owners):
    rows = [["会社名", "担当者"], ["A", "Moses Frase"], ["B", "田中 翔太"]]
    job = create_job(personas.admin, csv_bytes(rows), create_owners=create_owners)
    client = login(personas.admin)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("imports:mapping", args=[job.pk])).content.decode()
    moses = page[page.index(">Moses Frase</label>") :].split("</select>")[0]
    known = page[page.index(">田中 翔太</label>") :].split("</select>")[0]
    expected = "(a new rep account, inactive)" if create_owners else "(no such user: an error)"
    assert f'<option value="">{expected}</option>' in moses
    assert (
        '<option value="">(automatic)</option>' in known and f'value="{personas.owner.pk}" selected' in known
    )


@pytest.mark.parametrize("create_owners", [True, False])
def test_the_mapping_page_says_an_owner_two_accounts_match_is_an_error(personas, login, create_owners):
    """A name two accounts answer to is neither guessed nor created: the import says "more than one
    user matches" (imports.services.validation), and so does the page, never "a new rep account"."""
    from accounts.models import User

    for username in ("sato1", "sato2"):
        User.objects.create_user(username=username, last_name="佐藤", first_name="花子")
    rows = [["会社名", "担当者"], ["A", "佐藤 花子"]]
    with translation.override("en"):  # the job's language: its messages
        job = create_job(personas.admin, csv_bytes(rows), create_owners=create_owners)
    client = login(personas.admin)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("imports:mapping", args=[job.pk])).content.decode()
    sato = page[page.index(">佐藤 花子</label>") :].split("</select>")[0]
    assert '<option value="">(more than one user matches: an error)</option>' in sato
    job.refresh_from_db()
    with translation.override("en"):
        preview = import_job_preview(job=job)
        assert [e["reason"] for e in preview.errors] == [str(AMBIGUOUS_OWNER)]


def test_an_xlsx_upload_goes_through_the_same_pages(personas, login):
    from tests.imports.conftest import xlsx_bytes

    client = login(personas.owner)
    response = client.post(
        reverse("imports:upload"), {"file": upload(xlsx_bytes(GOOD), "一覧.xlsx"), "encoding": "auto"}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.file_format == "xlsx"
    client.post(reverse("imports:mapping", args=[job.pk]), {"col-0": "name", "col-2": "probability"})
    client.post(reverse("imports:run", args=[job.pk]))
    assert Prospect.objects.get(name="鈴木建設").probability == 80


def test_a_csv_with_a_nul_byte_is_refused_with_a_reason(personas, login):
    client = login(personas.owner)
    response = client.post(
        reverse("imports:upload"), {"file": upload(b"name\nA\x00B\n", "a.csv"), "encoding": "auto"}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["file"]
