"""The commitment change page: wording, reply, timeline, progress updates and status changes."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.desk.helpers import errors_of, form_data
from tests.factories import make_citation, make_commitment, make_log
from tracker.core import format as fmt
from tracker.core.models import Commitment, EntryKind, EntryShape, Status, TrackingLog
from tracker.core.services.commitment_export import commitment_render
from tracker.core.services.timeline import today

pytestmark = pytest.mark.django_db


def change_url(commitment):
    return reverse("admin:tracker_commitment_change", args=[commitment.pk])


def exported(commitment) -> str:
    return commitment_render(commitment=Commitment.objects.with_timeline().get(pk=commitment.pk))


def test_page_shows_wording_reply_and_timeline_in_order(editor_client, commitment):
    response = editor_client.get(change_url(commitment))

    html = response.content.decode()
    assert response.status_code == 200
    assert "本部將確保流感疫苗供應充足。" in html
    assert "衛福部將擴大疫苗採購，確保供應。" in html
    # Newest first, each entry with its edit link.
    created = html.index("[初始建立]")
    progress = html.index("[進度更新]")
    assert progress < created
    assert "自動判斷，未經編輯審核" in html
    for entry in commitment.log_entries.all():
        assert reverse("admin:tracker_trackinglog_change", args=[entry.pk]) in html
    # The daily actions come before the commitment's own fields.
    assert html.index("新增進度更新") < html.index('name="title"')
    assert html.index("變更狀態") < html.index('name="title"')
    assert reverse("public:commitment_detail", args=[commitment.uid]) in html
    assert (
        reverse("admin:tracker_replytoreview_commitment_suggestions", args=[commitment.pk]) in html
    )


def test_page_escapes_text_from_files(editor_client, commitment):
    commitment.source.reply_text = "<script>alert(1)</script>"
    commitment.source.save()

    html = editor_client.get(change_url(commitment)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_source_is_chosen_with_autocomplete(editor_client, commitment):
    html = editor_client.get(change_url(commitment)).content.decode()

    assert "data-autocomplete-light-url" not in html  # not a third-party widget
    assert "admin-autocomplete" in html
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "tracker",
            "model_name": "commitment",
            "field_name": "source",
            "term": "書面",
        },
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(commitment.source_id)]


def test_progress_update_takes_one_form_and_moves_last_updated(editor_client, editor, commitment):
    page = editor_client.get(change_url(commitment))
    data = form_data(page)
    assert data["progress_date"] == today().isoformat()
    data |= {
        "progress_document_number": "院臺衛字第1130000002號",
        "progress_document_url": "https://example.org/doc/2.doc",
        "progress_summary": "第二批疫苗已到貨。",
        "progress_judgement": "達成證據",
    }

    response = editor_client.post(change_url(commitment), data)

    assert response.status_code == 302, errors_of(response)
    commitment.refresh_from_db()
    entry = commitment.log_entries.order_by("position").last()
    assert (entry.kind, entry.shape, entry.summary) == (
        EntryKind.PROGRESS,
        EntryShape.EVIDENCE,
        "第二批疫苗已到貨。",
    )
    assert entry.created_by == editor
    assert not entry.is_automated
    assert commitment.last_updated == today()
    assert (
        f"### {today().isoformat()} [進度更新]\n"
        "**來源類型**：立法院答復\n"
        "**文件編號**：院臺衛字第1130000002號\n"
        "**來源連結**：https://example.org/doc/2.doc\n"
        "**內容摘要**：第二批疫苗已到貨。\n"
        "**AI 判斷**：達成證據\n"
    ) in exported(commitment)


def test_status_change_writes_the_entry_export_writes(editor_client, commitment):
    data = form_data(editor_client.get(change_url(commitment)))
    data |= {"status_to": Status.DELAYED, "status_reason": "目標日期 2025-12-31 已過"}

    response = editor_client.post(change_url(commitment), data)

    assert response.status_code == 302, errors_of(response)
    commitment.refresh_from_db()
    assert commitment.status == Status.DELAYED
    text = exported(commitment)
    assert 'status: "已延宕"' in text
    assert text.endswith(
        f"### {today().isoformat()} [狀態變更]\n"
        "**狀態**：追蹤中 → 已延宕\n"
        "**原因**：目標日期 2025-12-31 已過\n"
    )


def test_status_change_can_cite_the_progress_document_instead_of_a_reason(
    editor_client, commitment
):
    data = form_data(editor_client.get(change_url(commitment)))
    data |= {
        "progress_document_number": "院臺衛字第1130000003號",
        "progress_summary": "疫苗全數到貨，目標達成。",
        "progress_judgement": "達成證據",
        "status_to": Status.ACHIEVED,
        "status_use_evidence": "on",
    }

    response = editor_client.post(change_url(commitment), data)

    assert response.status_code == 302, errors_of(response)
    entries = list(commitment.log_entries.order_by("position"))
    assert len(entries) == 3  # one 狀態變更 entry citing the document, no separate update
    assert (entries[-1].kind, entries[-1].shape) == (EntryKind.STATUS_CHANGE, EntryShape.EVIDENCE)
    assert exported(commitment).endswith(
        f"### {today().isoformat()} [狀態變更]\n"
        "**來源類型**：立法院答復\n"
        "**文件編號**：院臺衛字第1130000003號\n"
        "**來源連結**：\n"
        "**內容摘要**：疫苗全數到貨，目標達成。\n"
        "**AI 判斷**：達成證據\n"
    )


def test_status_field_cannot_be_posted_directly(editor_client, commitment):
    data = form_data(editor_client.get(change_url(commitment)))
    data["status"] = Status.ACHIEVED
    data["title"] = "確保疫苗供應充足（修訂）"

    response = editor_client.post(change_url(commitment), data)

    assert response.status_code == 302, errors_of(response)
    commitment.refresh_from_db()
    assert commitment.title == "確保疫苗供應充足（修訂）"
    assert commitment.status == Status.TRACKING
    assert not commitment.log_entries.filter(kind=EntryKind.STATUS_CHANGE).exists()


def test_editing_a_field_leaves_other_bytes_alone(editor_client, commitment):
    commitment.target_value = "100 萬劑  "  # trailing spaces are data
    commitment.save()
    before = exported(commitment)
    data = form_data(editor_client.get(change_url(commitment)))
    data["wording"] = data["wording"].replace("。", "。\r\n第二行。", 1)

    response = editor_client.post(change_url(commitment), data)

    assert response.status_code == 302, errors_of(response)
    after = exported(commitment)
    assert "本部將確保流感疫苗供應充足。\n第二行。" in after
    assert 'target_value: "100 萬劑  "' in after
    assert before.replace("充足。\n", "充足。\n第二行。\n", 1) == after


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {
                "progress_date": (today() + dt.timedelta(days=1)).isoformat(),
                "progress_summary": "摘要",
            },
            "progress_date",
            "日期不可晚於今天",
        ),
        (
            {"progress_document_url": "not a url", "progress_summary": "摘要"},
            "progress_document_url",
            "來源連結必須是 http:// 或 https:// 開頭的完整網址",
        ),
        (
            {"progress_document_number": "院臺衛字第1號", "progress_summary": ""},
            "progress_summary",
            "請填寫內容摘要",
        ),
        ({"status_to": Status.TRACKING, "status_reason": "原因"}, "status_to", "無須變更"),
        ({"status_to": Status.DELAYED, "status_reason": "  "}, "status_reason", "必須填寫原因"),
        (
            {"status_to": Status.DELAYED, "status_use_evidence": "on"},
            "status_use_evidence",
            "請在「新增進度更新」填寫引用文件",
        ),
        (
            {"progress_date": "2020-01-01", "progress_summary": "摘要"},
            "progress_date",
            "不可早於時間軸最後一筆的日期 2026-01-27",
        ),
        ({"wording": "第一行\n## 不是章節"}, "wording", "不可以「## 」開頭"),
        ({"title": "   "}, "title", "不可只有空白"),
        ({"file_path": "../外面.md"}, "file_path", "路徑不可包含"),
    ],
)
def test_bad_input_gets_a_message_and_saves_nothing(
    editor_client, commitment, changes, field, message
):
    before = (exported(commitment), TrackingLog.history.count(), Commitment.history.count())
    data = form_data(editor_client.get(change_url(commitment))) | changes

    response = editor_client.post(change_url(commitment), data)

    assert response.status_code == 200
    assert message in "\n".join(response.context["adminform"].form.errors.get(field, []))
    assert (exported(commitment), TrackingLog.history.count(), Commitment.history.count()) == before


def test_export_preview_shows_the_file(editor_client, commitment):
    response = editor_client.get(reverse("admin:tracker_commitment_export", args=[commitment.pk]))

    assert response.status_code == 200
    assert response.context["text"] == exported(commitment)
    download = editor_client.get(
        reverse("admin:tracker_commitment_export", args=[commitment.pk]), {"download": "1"}
    )
    assert download.content.decode() == exported(commitment)
    assert fmt.parse(download.content.decode()).id == commitment.uid


def test_change_page_queries_do_not_grow_with_the_timeline_or_the_history(
    editor_client, editor, commitment, django_assert_num_queries
):
    from tests.factories import make_log
    from tracker.core.services.commitment_editing import commitment_update

    # Session, user, permissions (2), the record, the category and agency suggestions, the
    # source, the open sync items, the questions and the criteria counted, who set each field
    # (one aggregate over the history, one read of the saves it found) and the timeline: each
    # one query, whatever their length.
    editor_client.get(change_url(commitment))  # the first request of a session saves it
    with django_assert_num_queries(14):
        editor_client.get(change_url(commitment))
    for number in range(30):
        make_log(
            commitment, kind=EntryKind.PROGRESS, shape=EntryShape.EVIDENCE, summary=f"{number}"
        )
        commitment.refresh_from_db()
        commitment_update(
            commitment=commitment,
            base_version=commitment.version,
            changes={"target_value": f"第 {number} 版"},
            user=editor,
        )

    with django_assert_num_queries(14):
        response = editor_client.get(change_url(commitment))

    html = response.content.decode()
    assert html.count('id="timeline-') == 32
    assert commitment.history.count() > 30


def test_a_commitment_with_150_entries_is_saved_through_its_page(editor_client, commitment):
    from tests.factories import make_log

    for number in range(150 - commitment.log_entries.count()):
        make_log(
            commitment,
            kind=EntryKind.PROGRESS,
            shape=EntryShape.EVIDENCE,
            entry_date=dt.date(2026, 1, 27),
            summary=f"第 {number} 份文件",
        )
    page = editor_client.get(change_url(commitment))
    data = form_data(page) | {"progress_summary": "第 151 筆：編輯部查證", "title": "新標題"}
    # The timeline is not part of the form: no length of timeline nears the field limit.
    assert len(data) < 50

    response = editor_client.post(change_url(commitment), data)

    assert response.status_code == 302, errors_of(response)
    commitment.refresh_from_db()
    assert commitment.title == "新標題"
    assert commitment.log_entries.count() == 151


def test_the_timeline_says_what_each_status_change_changed_to(editor_client, db):
    commitment = make_commitment(status=Status.ACHIEVED)
    make_log(
        commitment,
        kind=EntryKind.STATUS_CHANGE,
        shape=EntryShape.STATUS_RULE,
        from_status=Status.TRACKING,
        to_status=Status.DELAYED,
        reason="目標日期已過",
    )
    for number in (1, 2):
        make_citation(commitment, number, dt.date(2026, 1, 27), EntryKind.STATUS_CHANGE, "達成證據")
    page = editor_client.get(change_url(commitment)).content.decode()
    assert "追蹤中 → 已延宕" in page
    assert page.count('tracker-outcome-achieved">→ 已達成') == 1
    assert "進一步證據（狀態已是 已達成）" in page
    assert "tracker-entry-outcome-achieved" in page and "tracker-entry-outcome-delayed" in page
    assert "文件日期 2021-12-02" in page


def test_change_page_links_to_its_questions_and_criteria(editor_client, commitment):
    from tests.factories import make_question
    from tracker.core.services.criteria import criterion_add

    make_question(commitment, deadline=today() + dt.timedelta(days=3))
    make_question(commitment, deadline=today() - dt.timedelta(days=3))
    criterion_add(
        commitment=commitment,
        milestone="law_passed",
        state="met",
        settled_on=dt.date(2025, 5, 20),
        evidence="三讀",
    )
    criterion_add(commitment=commitment, milestone="budget")
    criterion_add(commitment=commitment, milestone="completed")

    html = editor_client.get(change_url(commitment)).content.decode()

    assert "完成標準（1 / 3 已達成）" in html
    assert "詢問機關（2，1 件逾期）" in html
    questions = reverse("admin:tracker_agencyquestion_changelist")
    criteria = reverse("admin:tracker_completioncriterion_changelist")
    assert f'{questions}?commitment__id__exact={commitment.pk}"' in html
    assert f'{criteria}?commitment__id__exact={commitment.pk}"' in html
    assert f'{reverse("admin:tracker_agencyquestion_add")}?commitment={commitment.pk}"' in html


def test_the_linked_changelists_show_only_that_commitments_records(editor_client, commitment):
    from tests.factories import make_question
    from tracker.core.services.criteria import criterion_add

    other = make_commitment()
    make_question(commitment, agency="這一項的機關")
    make_question(other, agency="另一項的機關")
    criterion_add(commitment=commitment, milestone="other", description="這一項的標準")
    criterion_add(commitment=other, milestone="other", description="另一項的標準")

    for name, mine, theirs in [
        ("agencyquestion", "這一項的機關", "另一項的機關"),
        ("completioncriterion", "這一項的標準", "另一項的標準"),
    ]:
        url = reverse(f"admin:tracker_{name}_changelist")
        response = editor_client.get(url, {"commitment__id__exact": commitment.pk})
        html = response.content.decode()
        assert response.status_code == 200
        assert mine in html and theirs not in html, name
        # The sidebar names the commitment, so the editor sees the list is narrowed.
        sidebar = response.context["cl"].filter_specs[0]
        assert sidebar.lookup_choices == [(str(commitment.pk), commitment.title)], name
        assert response.context["cl"].has_active_filters, name

    add = editor_client.get(
        reverse("admin:tracker_completioncriterion_add"), {"commitment": commitment.pk}
    )
    assert add.context["adminform"].form.initial["commitment"] == str(commitment.pk)
