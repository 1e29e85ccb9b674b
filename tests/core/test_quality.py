import datetime as dt

from tracker.core import format as fmt
from tracker.core import quality
from tracker.core.quality import Duplicate, Record, near_duplicate_categories

TODAY = dt.date(2026, 8, 1)


def record(path="a/x.md", **values) -> Record:
    defaults = {
        "uid": path,
        "file_path": path,
        "category": "教育",
        "status": fmt.STATUS_TRACKING,
        "target_date_text": None,
        "agency": "教育部",
        "source": fmt.SourceData("reply-1", "10", "05", "（函號）", "https://example.org/1"),
        "reply": fmt.ReplyData("主旨", "內容"),
        "entry_dates": [dt.date(2026, 1, 26)],
    }
    return Record(**(defaults | values))


def checks(found):
    return [(item.check, item.where, item.needs_editor) for item in found]


def test_clean_records_have_no_findings():
    assert quality.findings([record("a.md"), record("b.md")], [], TODAY) == []


def test_duplicate_ids_need_an_editor():
    found = quality.findings([], [Duplicate("id-1", "a.md", "b.md", "newer kept")], TODAY)
    assert checks(found) == [(quality.DUPLICATE_ID, "b.md", True)]


def test_roc_date_is_information_a_placeholder_needs_an_editor():
    found = quality.target_dates(
        [
            record("roc.md", target_date_text="109-12-31"),
            record("iso.md", target_date_text="2024-12-31"),
            record("bad.md", target_date_text="YYYY-05-31"),
        ]
    )
    assert checks(found) == [
        (quality.TARGET_DATE, "roc.md", False),
        (quality.TARGET_DATE, "bad.md", True),
    ]
    assert "2020-12-31" in found[0].message


def test_agency_aliases_are_grouped_with_counts():
    found = quality.agency_aliases(
        [
            record("1", agency="衛福部"),
            record("2", agency="衛生福利部"),
            record("3", agency="衛福部"),
        ]
    )
    assert [(item.where, item.message) for item in found] == [
        ("衛生福利部", "spelled 衛生福利部 (1), 衛福部 (2)")
    ]


def test_near_duplicate_categories_in_the_real_data():
    names = ["農業", "農業政策", "司法", "司法體系", "水利政策", "水資源管理", "教育", "能源政策"]
    assert sorted(near_duplicate_categories(names)) == [
        ["司法", "司法體系"],
        ["水利政策", "水資源管理"],
        ["農業", "農業政策"],
    ]


def test_reply_whose_url_differs_between_commitments_needs_an_editor():
    other = fmt.SourceData("reply-1", "10", "05", "（函號）", "https://example.org/2")
    found = quality.source_disagreements([record("a.md"), record("b.md", source=other)])
    assert checks(found) == [(quality.SOURCE_DISAGREES, "reply reply-1", True)]
    assert "source.url differs" in found[0].message


def test_one_reply_number_under_two_document_ids_is_found():
    other = fmt.SourceData("reply-2", "10", "05", "（函號）", "https://example.org/1")
    found = quality.source_disagreements([record("a.md"), record("b.md", source=other)])
    assert "one ey_number, several document_ids: reply-1, reply-2" in found[0].message


def test_log_entry_out_of_date_order_is_found():
    dates = [dt.date(2026, 1, 27), dt.date(2026, 1, 26), dt.date(2026, 1, 28)]
    found = quality.log_order([record("a.md", entry_dates=dates)])
    assert [(item.where, item.message) for item in found] == [
        ("a.md", "entry 2 (2026-01-26) comes after an entry dated 2026-01-27")
    ]


def test_delayed_before_a_roc_target_date_is_found():
    found = quality.delayed_before_target(
        [record("a.md", status=fmt.STATUS_DELAYED, target_date_text="116-10-31")], TODAY
    )
    assert checks(found) == [(quality.DELAYED_EARLY, "a.md", True)]


def candidate(key, title, wording, reply="reply-1", uid=""):
    return quality.DuplicateCandidate(key, title, wording, reply, uid or key)


def test_same_title_is_a_likely_duplicate_whatever_the_reply_and_punctuation():
    found = quality.likely_duplicates(
        [
            candidate("a", "增設幼兒園 3000 班", "甲", reply="r1"),
            candidate("b", "增設幼兒園3000班。", "乙", reply="r2"),
            candidate("c", "增設幼兒園", "丙", reply="r1"),
        ]
    )
    assert [(p.first.key, p.second.key, p.reason) for p in found] == [
        ("a", "b", quality.SAME_TITLE)
    ]


def test_near_identical_wording_counts_only_within_one_reply():
    # 社會福利/2022-保護案件通報.md and 2023-兒虐案件處理.md: one promise, reworded.
    wording = (
        "地方政府主管機關於受理教保服務機構不當對待之通報案件後，應於3個工作日內將案件移送調查。"
    )
    reworded = (
        "地方政府主管機關於受理教保服務機構不當對待之通報案件後，"
        "應於3個工作日內將案件移送有管轄權之機關調查。"
    )
    assert (
        quality.wording_ratio(quality.comparable_text(wording), quality.comparable_text(reworded))
        >= quality.DUPLICATE_WORDING_RATIO
    )
    found = quality.likely_duplicates(
        [
            candidate("a", "三日內通報", wording),
            candidate("b", "兒虐案件處理", reworded),
            candidate("c", "另一答復", wording, reply="r2"),
            candidate("d", "不同承諾", "長照據點將擴充至每一國中學區一處。"),
        ]
    )
    assert [(p.first.key, p.second.key, p.reason) for p in found] == [
        ("a", "b", quality.SIMILAR_WORDING)
    ]
    assert 0.9 <= found[0].ratio < 1


def test_two_files_of_one_id_are_left_to_the_duplicate_id_check():
    found = quality.likely_duplicates(
        [
            candidate("x/a.md", "同一", "同一", uid="id-1"),
            candidate("y/a.md", "同一", "同一", uid="id-1"),
        ]
    )
    assert found == []


def test_findings_list_likely_duplicate_commitments():
    found = quality.findings(
        [
            record("a.md", title="同標題", wording="甲"),
            record("b.md", title="同標題", wording="乙"),
        ],
        [],
        TODAY,
    )
    assert checks(found) == [(quality.LIKELY_DUPLICATE, "a.md / b.md", True)]
    assert found[0].message.startswith("same title")


def test_likely_duplicates_in_the_shared_corpus(corpus_commitments):
    records, _duplicates, errors = quality.records_from_files([corpus_commitments])
    assert errors == []
    found = quality.duplicate_commitments(records)
    wheres = {item.where for item in found}
    assert "教育/111-增設幼兒園3000班.md / 教育/2022-增設幼兒園3000班.md" in wheres
    assert "社會福利/2022-保護案件通報.md / 社會福利/2023-兒虐案件處理.md" in wheres
    assert len(found) >= 50
