"""The data package: every download validates against its schema and rebuilds the timelines."""

import csv
import datetime as dt
import io
import json

import jsonschema
import pytest
from django.urls import reverse
from frictionless import Package

from tests.factories import make_commitment, make_log, make_question
from tracker.core import format as fmt
from tracker.core.entries import JUDGEMENT_LABELS
from tracker.core.models import Commitment, Origin, TrackingLog
from tracker.core.services.criteria import criterion_add
from tracker.core.services.timeline import Evidence, commitment_change_status, tracking_log_add
from tracker.core.services.tracking_log_editing import tracking_log_review
from tracker.public.datapackage import TABLES

FILES = [
    "datapackage.json",
    "commitments.csv",
    "sources.csv",
    "timeline.csv",
    "questions.csv",
    "criteria.csv",
    "commitments.json",
    "commitments.schema.json",
]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def download(client, name, **params):
    response = client.get(reverse("public:package_file", args=[name]), params)
    assert response.status_code == 200, name
    return body(response)


def table(client, name) -> list[dict]:
    text = download(client, name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


ENTRY_COLUMNS = [
    "kind",
    "shape",
    "text",
    "from_status",
    "to_status",
    "reason",
    "source_type",
    "document_number",
    "document_url",
    "summary",
    "judgement",
]


def unescape(cell: str) -> str:
    """Undo the spreadsheet guard as the downloads page says: drop one leading '."""
    return cell[1:] if cell.startswith("'") else cell


@pytest.fixture
def package_dir(client, sample, tmp_path):
    commitments = Commitment.objects.order_by("uid")
    make_question(commitments[0], answered_on=dt.date.today())
    make_question(commitments[1])
    criterion_add(
        commitment=commitments[0],
        milestone="law_passed",
        description="修正草案三讀",
        state="met",
        settled_on=dt.date(2025, 5, 20),
        evidence="立法院第11屆第3會期第13次會議",
        evidence_url="https://www.ly.gov.tw/",
    )
    criterion_add(commitment=commitments[0], milestone="completed")
    folder = tmp_path / "package"
    folder.mkdir()
    for name in FILES:
        (folder / name).write_bytes(download(client, name))
    return folder


def test_the_data_package_validates_with_frictionless(package_dir):
    report = Package(str(package_dir / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads((package_dir / "datapackage.json").read_text())
    assert [resource["name"] for resource in descriptor["resources"]] == list(TABLES)
    for resource in descriptor["resources"]:
        assert resource["bytes"] == (package_dir / resource["path"]).stat().st_size
        names = [field["name"] for field in resource["schema"]["fields"]]
        header = (package_dir / resource["path"]).read_text("utf-8-sig").splitlines()[0]
        assert header.split(",") == names


def test_a_broken_table_fails_the_validation(package_dir):
    """The check can fail: an unknown status in a row is reported."""
    path = package_dir / "commitments.csv"
    path.write_text(path.read_text("utf-8-sig").replace(",追蹤中,", ",不存在,", 1), "utf-8-sig")
    descriptor = json.loads((package_dir / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    (package_dir / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False))
    report = Package(str(package_dir / "datapackage.json")).validate()
    assert not report.valid
    assert "constraint-error" in {error.type for task in report.tasks for error in task.errors}


@pytest.mark.parametrize("params", [{}, {"status": "已延宕"}, {"agency": "衛生福利部"}])
def test_the_json_validates_against_its_json_schema(client, sample, params):
    schema = json.loads(download(client, "commitments.schema.json"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads(body(client.get(reverse("public:commitments_json"), params)))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["commitments"]
    full = json.loads(download(client, "commitments.json"))
    jsonschema.Draft202012Validator(schema).validate(full)
    assert len(full["commitments"]) == 9
    broken = full | {"commitments": [full["commitments"][0] | {"status": "不存在"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)


def test_the_csvs_rebuild_every_timeline(client, sample):
    rows = table(client, "timeline.csv")
    by_commitment: dict[str, list[dict]] = {}
    for row in rows:
        by_commitment.setdefault(row["commitment_id"], []).append(row)
    assert len(rows) == TrackingLog.objects.count()
    for commitment in Commitment.objects.with_timeline():
        expected = commitment.to_data().log
        ordered = sorted(by_commitment[commitment.uid], key=lambda row: int(row["position"]))
        rebuilt = [
            fmt.LogEntryData(
                entry_date=dt.date.fromisoformat(row["date"]),
                **{name: unescape(row[name]) for name in ENTRY_COLUMNS},
            )
            for row in ordered
        ]
        assert rebuilt == expected
        assert fmt.timeline_keys(rebuilt) == [row["entry_key"] for row in ordered]


def test_cells_that_start_like_a_formula_or_a_quote_come_back_exactly(client, db):
    values = ["=1+1", "-減少", "'引號", "''兩個", "＝全形", "普通"]
    commitment = make_commitment(title="公式")
    for position, value in enumerate(values, start=1):
        make_log(commitment, position=position, text=value)
    texts = [unescape(row["text"]) for row in table(client, "timeline.csv")][1:]
    assert texts == values


def test_every_entry_says_where_it_came_from(client, db, admin_user):
    commitment = make_commitment()
    commitment.log_entries.update(origin=Origin.UPSTREAM)
    evidence = {"kind": "進度更新", "shape": "evidence", "origin": Origin.UPSTREAM}
    make_log(commitment, position=1, summary="自動的", judgement="進度更新", **evidence)
    reviewed = make_log(commitment, position=2, summary="審過", judgement="相關資訊", **evidence)
    tracking_log_review(entries=[reviewed], user=admin_user)
    tracking_log_add(
        commitment=commitment,
        evidence=Evidence("院臺第1號", "", "編輯的", "達成證據"),
        entry_date=dt.date(2026, 2, 1),
        user=admin_user,
    )
    commitment_change_status(
        commitment=commitment,
        to_status="已延宕",
        reason="目標日期已過",
        entry_date=dt.date(2026, 2, 2),
    )
    labels = {
        (row["summary"] or row["text"] or row["reason"]): (
            row["provenance"],
            row["judgement_label"],
        )
        for row in table(client, "timeline.csv")
    }
    assert labels == {
        "從第10屆第05會期答復文件中萃取此承諾。": ("upstream", ""),
        "自動的": ("upstream", "automated_unreviewed"),
        "審過": ("upstream", "automated_reviewed"),
        "編輯的": ("newsroom", "editor"),
        "目標日期已過": ("newsroom", ""),
    }


def test_the_downloads_page_gives_the_data_date_licence_and_sizes(client, sample, settings):
    html = client.get(reverse("public:downloads")).content.decode()
    latest = max(Commitment.objects.values_list("last_updated", flat=True))
    assert f'<time datetime="{latest.isoformat()}">' in html
    assert 'rel="license"' in html and "CC-BY-4.0" in html
    for name in FILES:
        size = len(download(client, name))
        assert f'<data value="{size}">' in html, name
    for field in TABLES["timeline"]:
        assert f"<code>{field.name}</code>" in html


def test_the_licence_is_configurable(client, sample, settings):
    settings.TRACKER_DATA_LICENSE = "CC0-1.0"
    settings.TRACKER_DATA_LICENSE_TITLE = "CC0 1.0"
    settings.TRACKER_DATA_LICENSE_URL = "https://creativecommons.org/publicdomain/zero/1.0/"
    descriptor = json.loads(download(client, "datapackage.json"))
    assert descriptor["licenses"][0]["name"] == "CC0-1.0"
    assert "CC0 1.0" in client.get(reverse("public:downloads")).content.decode()


def test_an_unknown_file_is_404(client, sample):
    assert client.get(reverse("public:package_file", args=["passwd"])).status_code == 404


def test_the_english_downloads_page_is_in_english(client, sample):
    html = client.get("/en" + reverse("public:downloads")).content.decode()
    assert "Data date" in html and "Licence" in html
    assert "permanent key: computed from its content" in html
    assert "資料日期" not in html
    descriptor = json.loads(download(client, "datapackage.json"))
    fields = descriptor["resources"][2]["schema"]["fields"]
    assert fields[2]["description"].startswith("紀錄的永久鍵")


def test_timeline_rows_give_the_document_date_and_what_a_status_change_did(client, judged_timeline):
    commitment, label = judged_timeline
    rows = [row for row in table(client, "timeline.csv") if row["commitment_id"] == commitment.uid]
    by_summary = {row["summary"]: row for row in rows}
    assert by_summary["疫苗摘要甲"]["document_date"] == "2021-12-02"
    assert (
        by_summary["疫苗摘要甲"]["status_after"] == by_summary["疫苗摘要甲"]["status_effect"] == ""
    )
    assert (
        by_summary["疫苗摘要乙"]["status_after"],
        by_summary["疫苗摘要乙"]["status_effect"],
    ) == (
        "已達成",
        "change",
    )
    assert (
        by_summary["疫苗摘要丙"]["status_after"],
        by_summary["疫苗摘要丙"]["status_effect"],
    ) == (
        "已達成",
        "further_evidence",
    )
    codes = {row["judgement_label"] for row in rows if row["summary"]}
    assert len(codes) == 1 and JUDGEMENT_LABELS[codes.pop()] == label
    created = next(row for row in rows if row["kind"] == "初始建立")
    assert created["document_date"] == created["judgement_label"] == ""
    timeline = next(
        item
        for item in json.loads(download(client, "commitments.json"))["commitments"]
        if item["id"] == commitment.uid
    )["timeline"]
    assert [entry["document_date"] for entry in timeline] == [
        None,
        "2021-12-02",
        "2021-12-03",
        "2021-12-04",
    ]


def test_criteria_csv_gives_each_step_of_done_with_its_evidence(client, sample):
    published, unpublished = Commitment.objects.order_by("uid")[:2]
    Commitment.objects.filter(pk=unpublished.pk).update(is_published=False)
    criterion_add(
        commitment=published,
        milestone="budget",
        description="=SUM(A1)",
        state="failed",
        settled_on=dt.date(2025, 1, 2),
        evidence="總預算案",
    )
    criterion_add(commitment=published, milestone="completed")
    criterion_add(commitment=unpublished, milestone="started")

    rows = table(client, "criteria.csv")

    assert [(row["commitment_id"], row["milestone"], row["state"]) for row in rows] == [
        (published.uid, "budget", "failed"),
        (published.uid, "completed", "open"),
    ]
    assert rows[0]["milestone_label"] == "預算編列"
    assert unescape(rows[0]["description"]) == "=SUM(A1)"
    assert rows[0]["settled_on"] == "2025-01-02"
    assert rows[0]["evidence"] == "總預算案"
    assert rows[1]["settled_on"] == ""
    assert {row["provenance"] for row in rows} == {"newsroom"}
