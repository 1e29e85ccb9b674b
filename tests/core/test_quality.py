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
