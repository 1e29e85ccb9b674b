"""The format module on its own: text in, dataclasses out, and back."""

import datetime as dt

import pytest

from tracker.core import format as fmt

FOUNDING = "國防外交/捍衛國家主權.md"


@pytest.fixture
def founding_text(fixtures_dir):
    return (fixtures_dir / FOUNDING).read_text(encoding="utf-8")


def replace_front_matter(text: str, key: str, line: str) -> str:
    lines = text.split("\n")
    index = next(i for i, existing in enumerate(lines) if existing.startswith(f"{key}:"))
    lines[index] = line
    return "\n".join(lines)


def replace_source_block(text: str, line: str) -> str:
    start = text.index("source:\n")
    end = text.index("created_at:")
    return text[:start] + line + "\n" + text[end:]


def test_it_parses_the_founding_example(founding_text):
    data = fmt.parse(founding_text)
    assert data.id == "0d78eb7d-7b0b-e027-1696-c2f7314f1bdb"
    assert data.status == fmt.STATUS_TRACKING
    assert data.target_date is None
    assert data.source.session_period == "05"
    assert data.reply.subject.startswith("（三）行政院函送")
    assert [entry.kind for entry in data.log] == ["初始建立", "進度更新", "進度更新", "進度更新"]
    assert data.log[0].text == "從第10屆第05會期答復文件中萃取此承諾。"
    assert data.log[3].judgement == "相關資訊"
    assert data.log[3].shape == fmt.SHAPE_EVIDENCE


def test_every_fixture_renders_back_byte_for_byte(fixtures_dir):
    files = sorted(fixtures_dir.rglob("*.md"))
    assert len(files) >= 8
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert fmt.render(fmt.parse(text)) == text, path


def test_status_rule_entry_keeps_from_to_and_reason():
    entry_text = "### 2026-01-26 [狀態變更]\n**狀態**：追蹤中 → 已延宕\n"
    text = FIXTURE_HEAD + entry_text + "**原因**：目標日期 109-12-31 已過\n"
    entry = fmt.parse(text).log[0]
    assert (entry.shape, entry.from_status, entry.to_status) == (
        fmt.SHAPE_STATUS_RULE,
        "追蹤中",
        "已延宕",
    )
    assert entry.reason == "目標日期 109-12-31 已過"


def test_entry_of_no_known_shape_is_kept_as_written():
    body = "**狀態**：追蹤中 -> 已達成\n備註：手寫的紀錄"
    text = FIXTURE_HEAD + f"### 2026-02-01 [編輯備註]\n{body}\n"
    data = fmt.parse(text)
    assert data.log[0].shape == fmt.SHAPE_TEXT
    assert data.log[0].kind == "編輯備註"
    assert data.log[0].text == body
    assert fmt.render(data) == text


def test_trailing_spaces_and_unknown_judgements_survive():
    entry = (
        "### 2026-01-27 [進度更新]\n**來源類型**：立法院答復\n**文件編號**：X\n"
        "**來源連結**：https://example.org/a.doc\n**內容摘要**：摘要後有空白  \n"
        "**AI 判斷**：関連資訊\n"
    )
    data = fmt.parse(FIXTURE_HEAD + entry)
    assert data.log[0].summary == "摘要後有空白  "
    assert data.log[0].judgement == "関連資訊"
    assert fmt.render(data) == FIXTURE_HEAD + entry


def test_missing_reply_section_stays_missing():
    data = fmt.parse(FIXTURE_HEAD + "### 2026-01-26 [初始建立]\n萃取。\n")
    assert data.reply is None
    assert "## 來源回覆" not in fmt.render(data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-12-31", dt.date(2024, 12, 31)),
        ("109-12-31", dt.date(2020, 12, 31)),
        ("99-1-5", dt.date(2010, 1, 5)),
        ("YYYY-05-31", None),
        ("2024-02-30", None),
        ("", None),
        (None, None),
    ],
)
def test_target_dates_are_understood_where_they_can_be(text, expected):
    assert fmt.parse_target_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（行政院函\u3000中華民國110年12月30日院臺專字第1100099574號）", dt.date(2021, 12, 30)),
        ("（行政院函\u3000中華民國109年6月8日院授主預社字第1090101584號）", dt.date(2020, 6, 8)),
        ("中華民國 99 年 1 月 5 日", dt.date(2010, 1, 5)),
        ("民國111年1月26日", dt.date(2022, 1, 26)),
        ("110年12月30日院臺專字第1100099574號", dt.date(2021, 12, 30)),
        ("中華民國１１０年１２月３０日", dt.date(2021, 12, 30)),
        ("2021年12月30日函", dt.date(2021, 12, 30)),
        ("中華民國2021年12月30日", None),  # a western year after 民國 is a typo, not a date
        ("中華民國110年2月30日", None),
        ("中華民國0年1月1日", None),
        ("110.12.30 院臺專字", None),
        ("院臺專字第1101230號", None),
        ("院臺專字第1100099574號", None),
        ("12345年1月2日", None),
        ("", None),
        (None, None),
    ],
)
def test_document_dates_are_read_from_the_number_where_written(text, expected):
    assert fmt.parse_document_date(text) == expected


def test_every_cited_document_of_the_corpus_has_a_date(corpus_commitments):
    cited = dated = 0
    for path in corpus_commitments.rglob("*.md"):
        for entry in fmt.parse(path.read_text(encoding="utf-8")).log:
            if entry.document_number:
                cited += 1
                day = fmt.parse_document_date(entry.document_number)
                if day is not None:
                    dated += 1
                    assert dt.date(2000, 1, 1) < day <= entry.entry_date, entry.document_number
    assert cited > 2000
    assert dated == cited


def test_quoting_escapes_what_yaml_would_fold():
    data = fmt.parse(FIXTURE_HEAD + "### 2026-01-26 [初始建立]\n萃取。\n")
    data.title = 'He said "yes"\\no\u2028next\x7f'
    again = fmt.parse(fmt.render(data))
    assert again.title == data.title


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda t: replace_front_matter(t, "status", 'status: "完成"'), "status"),
        (lambda t: replace_front_matter(t, "id", 'id: "short"'), "id"),
        (lambda t: replace_front_matter(t, "title", "title: null"), "title"),
        (lambda t: replace_front_matter(t, "title", 'title: ""'), "title"),
        (lambda t: replace_front_matter(t, "created_at", 'created_at: "2026-02-30"'), "created_at"),
        (lambda t: replace_front_matter(t, "last_updated", 'last_updated: "昨天"'), "last_updated"),
        (lambda t: replace_source_block(t, 'source: "一份答復"'), "source"),
        (lambda t: replace_source_block(t, "source: [1, 2]"), "source"),
        (lambda t: t.replace("title:", "titel:"), "titel"),
        (lambda t: t.replace('  term: "10"', "  term: 10"), "source.term"),
        (lambda t: t.replace("### 2026-01-26 [初始建立]", "### 2026-13-01 [初始建立]"), "line"),
        (lambda t: t.replace("## 承諾原文", "## 附註"), "line"),
        (lambda t: t.replace("\n## 追蹤紀錄\n", "\n"), "body"),
    ],
)
def test_bad_values_name_the_field(change, where):
    with pytest.raises(fmt.FormatError) as error:
        fmt.parse(change(FIXTURE_HEAD + "### 2026-01-26 [初始建立]\n萃取。\n"))
    assert error.value.where.startswith(where)


def test_aliases_are_refused_before_loading():
    text = "---\na: &x [1]\nb: *x\n---\n"
    with pytest.raises(fmt.FormatError, match="anchors and aliases"):
        fmt.parse(text)


@pytest.mark.parametrize("depth", [20, 900, 5000, 100_000])
def test_deep_nesting_is_refused_without_recursion_error(depth):
    text = "---\nid: " + "[" * depth + "]" * depth + "\n---\n"
    with pytest.raises(fmt.FormatError, match=r"nest|longer than"):
        fmt.parse(text)


def test_deep_block_nesting_is_refused():
    lines = [" " * level + f"k{level}:" for level in range(30)]
    with pytest.raises(fmt.FormatError, match="nested more than"):
        fmt.parse("---\n" + "\n".join(lines) + " 1\n---\n")


def test_python_tags_are_refused():
    text = "---\nid: !!python/object/apply:os.system ['true']\n---\n"
    with pytest.raises(fmt.FormatError, match="tags"):
        fmt.parse(text)


def test_render_refuses_a_multi_line_summary():
    data = fmt.parse(FIXTURE_HEAD + "### 2026-01-26 [初始建立]\n萃取。\n")
    data.log.append(
        fmt.LogEntryData(
            entry_date=dt.date(2026, 2, 1),
            kind=fmt.KIND_PROGRESS,
            shape=fmt.SHAPE_EVIDENCE,
            summary="第一行\n第二行",
        )
    )
    with pytest.raises(fmt.FormatError, match="single line"):
        fmt.render(data)


def test_canonical_difference_names_the_first_differing_line():
    assert fmt.canonical_difference("a\nb\nc", "a\nb\nc") is None
    assert fmt.canonical_difference("a\nb\nc", "a\nB\nc").startswith("line 2:")


FIXTURE_HEAD = """---
id: "0d78eb7d-7b0b-e027-1696-c2f7314f1bdb"
title: "持續捍衛國家主權及國際參與"
category: "國防外交"
status: "追蹤中"
target_date: null
target_value: null
responsible_agency: "外交部"
source:
  document_id: "2edbc451-da67-a293-4639-982a9785b69c"
  term: "10"
  session_period: "05"
  ey_number: "（行政院函）"
  url: "https://example.org/a.doc"
created_at: "2026-01-26"
last_updated: "2026-01-27"
---

## 承諾原文

本部將持續捍衛國家主權。

## 追蹤紀錄

"""


def test_timeline_keys_depend_only_on_the_bytes_and_repeats():
    first = fmt.LogEntryData(entry_date=dt.date(2026, 1, 27), kind=fmt.KIND_CREATED, text="a")
    other = fmt.LogEntryData(entry_date=dt.date(2026, 1, 28), kind=fmt.KIND_CREATED, text="a")
    keys = fmt.timeline_keys([first, other, first, first])
    assert keys[0] == fmt.entry_fingerprint(first) and len(keys[0]) == fmt.ENTRY_KEY_HEX
    assert keys[1] != keys[0]
    assert keys[2:] == [f"{keys[0]}-2", f"{keys[0]}-3"]
    assert fmt.timeline_keys([first, other]) == keys[:2]
    changed = fmt.LogEntryData(entry_date=dt.date(2026, 1, 27), kind=fmt.KIND_CREATED, text="b")
    assert fmt.timeline_keys([changed])[0] != keys[0]


@pytest.mark.parametrize(
    ("key", "duplicate_line", "line"),
    [
        ("title", 'title: "第二個標題"', 4),
        ("status", 'status: "已達成"', 6),
        ("url", '  url: "https://example.org/b.doc"', 15),
        ("term", '  term: "11"', 12),
        ("created_at", "created_at: 2026-01-01", 16),
        ("title", '"title": "引號裡的鍵"', 4),
    ],
)
def test_a_key_given_twice_is_refused_naming_it_and_its_line(key, duplicate_line, line):
    lines = FIXTURE_HEAD.split("\n")
    index = next(i for i, text in enumerate(lines) if text.lstrip().startswith(f"{key}:"))
    lines.insert(index + 1, duplicate_line)
    with pytest.raises(fmt.FormatError) as error:
        fmt.parse("\n".join(lines) + "### 2026-01-26 [初始建立]\n萃取。\n")
    assert error.value.where == f"line {line}"
    assert f"{key!r} appears twice" in error.value.message
