import csv
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_commitment


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_csv_opens_in_excel_as_utf8_and_keeps_the_filters(client, sample):
    response = client.get(reverse("public:commitments_csv"), {"agency": "衛生福利部"})
    data = body(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {row["title"] for row in rows} == {
        "每年10月前完成流感疫苗採購確保供應", "長照服務據點擴充至每一國中學區一處",
    }  # fmt: skip
    assert {row["agencies"] for row in rows} == {"衛生福利部"}


def test_csv_neutralises_formulas(client, db):
    make_commitment(title='=HYPERLINK("http://evil","點我")', responsible_agency="+1", wording="-")
    data = body(client.get(reverse("public:commitments_csv"))).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(data)))
    assert row["title"] == '\'=HYPERLINK("http://evil","點我")'
    assert row["responsible_agency"] == "'+1"


def test_json_lists_the_filtered_commitments(client, sample):
    response = client.get(reverse("public:commitments_json"), {"status": "已延宕"})
    data = json.loads(body(response))
    assert len(data["commitments"]) == 2
    roc = next(c for c in data["commitments"] if c["target_date"] == "112-12-31")
    assert roc["target_date_iso"] == "2023-12-31"
    assert roc["url"].startswith("http://testserver/commitments/")


def test_markdown_download_is_the_imported_file_byte_for_byte(client, sample, fixtures_dir):
    original = (fixtures_dir / "醫療衛生" / "流感疫苗採購.md").read_bytes()
    response = client.get(
        reverse("public:commitment_md", args=["7e3f6a10-0b1c-4d2e-8f90-a1b2c3d4e503"])
    )
    assert response.content == original
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E6%B5%81%E6%84%9F%E7%96%AB%E8%8B%97%E6%8E%A1%E8%B3%BC.md"
    )


def test_drafts_are_not_downloadable(client, db):
    draft = make_commitment(is_published=False)
    assert client.get(reverse("public:commitment_md", args=[draft.uid])).status_code == 404
    data = body(client.get(reverse("public:commitments_csv"))).decode("utf-8-sig")
    assert draft.uid not in data


def test_zip_holds_exactly_what_export_commitments_writes(client, sample, tmp_path, settings):
    settings.TRACKER_DOWNLOADS_DIR = tmp_path / "cache"
    call_command("export_commitments", str(tmp_path / "export"))
    exported = {
        path.relative_to(tmp_path / "export").as_posix(): path.read_bytes()
        for path in (tmp_path / "export").rglob("*.md")
    }
    response = client.get(reverse("public:dataset_zip"))
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        zipped = {name: archive.read(name) for name in archive.namelist()}
    assert zipped == exported
    assert len(zipped) == 9


def test_zip_is_rebuilt_after_the_data_changes(client, sample, tmp_path, settings):
    settings.TRACKER_DOWNLOADS_DIR = tmp_path
    client.get(reverse("public:dataset_zip"))
    make_commitment(title="新的承諾")
    response = client.get(reverse("public:dataset_zip"))
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        assert len(archive.namelist()) == 10
    make_commitment(title="再一項承諾")
    client.get(reverse("public:dataset_zip"))
    # The newest build and the one before it are kept; nothing half-built is left.
    assert len(list(tmp_path.glob("build-*"))) == 2
    assert not list(tmp_path.glob(".building-*"))


@pytest.mark.parametrize("name", ["public:commitments_csv", "public:commitments_json"])
def test_list_downloads_run_a_bounded_number_of_queries(
    client, db, django_assert_max_num_queries, name
):
    for _ in range(30):
        make_commitment()
    with django_assert_max_num_queries(8):
        body(client.get(reverse(name)))


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"status": "bogus"}, "status"),
        ({"category": "nope"}, "category"),
        ({"sort": "bogus"}, "sort"),
        ({"agency": "沒有這個機關"}, "agency"),
        ({"target_year": "abc"}, "target_year"),
        ({"q": "疫" * 201}, "q"),
    ],
)
def test_a_bad_filter_is_refused_with_the_reason_in_every_format(client, sample, params, parameter):
    listing = client.get(reverse("public:commitment_list"), params)
    assert listing.status_code == 400
    as_csv = client.get(reverse("public:commitments_csv"), params)
    assert as_csv.status_code == 400
    assert as_csv["Content-Type"] == "text/plain; charset=utf-8"
    assert body(as_csv).decode().startswith(f"{parameter}（")
    as_json = client.get(reverse("public:commitments_json"), params)
    assert as_json.status_code == 400
    errors = json.loads(body(as_json))["errors"]
    assert [error["parameter"] for error in errors] == [parameter]
    assert errors[0]["message"]


@pytest.mark.parametrize(
    "name", ["public:commitment_list", "public:commitments_csv", "public:commitments_json"]
)
def test_a_nul_in_the_query_is_refused_in_every_format(client, sample, name):
    # Refused by the middleware before any view (tracker.core.middleware), as on every URL.
    assert client.get(reverse(name), {"q": "\x00"}).status_code == 400


def test_zip_after_a_restore_never_serves_the_rewound_number_s_old_file(
    client, db, tmp_path, settings
):
    from tracker.core.models import DataVersion

    settings.TRACKER_DOWNLOADS_DIR = tmp_path
    make_commitment(title="備份時就有的承諾")
    backed_up = DataVersion.objects.values_list("version", "changed_at").get()
    lost = make_commitment(title="備份之後才有的承諾", file_path="醫療衛生/備份之後.md")
    client.get(reverse("public:dataset_zip"))  # built while the later commitment exists
    # A restore puts back the data and the version row as they were at the backup.
    lost.delete()
    DataVersion.objects.update(version=backed_up[0], changed_at=backed_up[1])
    make_commitment(title="還原之後的承諾", file_path="醫療衛生/還原之後.md")  # same number again
    response = client.get(reverse("public:dataset_zip"))
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        names = archive.namelist()
    assert "醫療衛生/還原之後.md" in names
    assert "醫療衛生/備份之後.md" not in names
