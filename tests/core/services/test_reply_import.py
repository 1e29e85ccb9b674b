import io
import json
import os
import tracemalloc
from pathlib import Path

import pytest

from tests.factories import make_commitment, make_log, make_source
from tracker.core.models import ReplyToReview, Source
from tracker.core.services.commitment_export import iter_rendered
from tracker.core.services.commitment_import import commitments_import_paths
from tracker.core.services.reply_import import MAX_LINE_BYTES, bounded_lines, replies_import

ROOT = Path(__file__).resolve().parents[3]
REPLIES = ROOT / "fixtures" / "replies.jsonl"


def reply_line(base_id="b-1", **payload) -> str:
    values = {
        "term": "11",
        "sessionPeriod": "02",
        "sessionTimes": "04",
        "eyNumber": f"（行政院函　{base_id}）",
        "lyNumber": "（立法院函　編號：11-2-4-1）",
        "subject": "行政院函送委員質詢之書面答復，請查照案。",
        "content": "經交據交通部查復如下：偏鄉公車已新增路線。",
        "docUrl": "https://example.org/reply.doc",
        "baseId": base_id,
        "isChunked": False,
        "chunkIndex": None,
        "totalChunks": None,
        "chunkText": "",
    } | payload
    return json.dumps({"id": base_id, "payload": values}, ensure_ascii=False)


def write(tmp_path, *lines) -> Path:
    path = tmp_path / "replies.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def sample(fixtures_dir):
    assert commitments_import_paths(paths=[fixtures_dir]).ok


@pytest.mark.django_db
def test_chunks_become_one_reply_and_known_replies_are_enriched(sample):
    before = Source.objects.count()
    report = replies_import(paths=[REPLIES])
    assert report.ok, report.errors
    assert (report.lines, report.replies, report.created, report.enriched) == (6, 5, 2, 3)
    assert Source.objects.count() == before + 2
    chunked = Source.objects.get(document_id="5a1c2e90-1111-4a2b-9c3d-000000000003")
    assert chunked.session_times == "02"
    assert chunked.ly_number.startswith("（立法院函　編號：11-1-2-3）")
    assert chunked.reply_text.endswith("（本段為範例資料，非真實答復內容。）")
    assert chunked.imported_from_replies is not None


@pytest.mark.django_db
def test_enriching_replies_leaves_exported_files_byte_for_byte(sample, fixtures_dir):
    replies_import(paths=[REPLIES])
    for relative, content in iter_rendered():
        assert content == (fixtures_dir / relative).read_bytes(), relative


@pytest.mark.django_db
def test_reimport_changes_nothing(sample):
    replies_import(paths=[REPLIES])
    stamps = dict(Source.objects.values_list("document_id", "modified_at"))
    report = replies_import(paths=[REPLIES])
    assert (report.created, report.enriched, report.unchanged) == (0, 0, 5)
    assert dict(Source.objects.values_list("document_id", "modified_at")) == stamps


@pytest.mark.django_db
def test_malformed_lines_are_reported_by_number_and_the_rest_imported(tmp_path):
    path = write(
        tmp_path,
        reply_line("good-1"),
        "{not json",
        reply_line("bad-type", term=10),
        reply_line("bad-url", docUrl="javascript:alert(1)"),
        json.dumps({"id": "x", "payload": {"term": "11"}}),
        reply_line("bad-subject", subject="第一行\n第二行"),
        reply_line("bad-text", content="段落\n\n## 標題"),
        reply_line("good-2"),
    )
    report = replies_import(paths=[path])
    assert sorted(Source.objects.values_list("document_id", flat=True)) == ["good-1", "good-2"]
    assert [error.split(": ")[0] for error in report.errors] == [
        f"{path}:{number}" for number in (2, 3, 4, 5, 6, 7)
    ]
    assert "payload.term: a int, not a string" in report.errors[1]
    assert "payload.docUrl" in report.errors[2]
    assert "payload.baseId: missing" in report.errors[3]
    assert "payload.subject: must be one line" in report.errors[4]
    assert "payload.content" in report.errors[5]


@pytest.mark.django_db
def test_chunk_that_disagrees_is_skipped_with_its_line(tmp_path):
    path = write(tmp_path, reply_line("b"), reply_line("b", content="另一段文字"))
    report = replies_import(paths=[path])
    assert report.errors == [
        f"{path}:2: reply b: reply_text differ from its chunk at {path}:1; this line was skipped"
    ]
    assert Source.objects.get().reply_text == "經交據交通部查復如下：偏鄉公車已新增路線。"


@pytest.mark.django_db
def test_files_win_over_a_disagreeing_reply_row(tmp_path):
    commitment = make_commitment()
    source = commitment.source
    path = write(tmp_path, reply_line(source.document_id, eyNumber="（另一個函號）"))
    report = replies_import(paths=[path])
    source.refresh_from_db()
    assert source.ey_number != "（另一個函號）"
    assert source.ly_number == "（立法院函　編號：11-2-4-1）"
    assert "ey_number, reply_text, url differ from the commitment files" in report.warnings[0]


@pytest.mark.django_db
def test_only_uncited_unreviewed_replies_wait_for_review(tmp_path):
    cited_by_log = make_source(document_id="cited-by-log")
    make_log(make_commitment(), document_number=cited_by_log.ey_number)
    path = write(
        tmp_path,
        reply_line("new-reply"),
        reply_line("cited-by-log", eyNumber=cited_by_log.ey_number),
        reply_line("dismissed"),
    )
    replies_import(paths=[path])
    Source.objects.filter(document_id="dismissed").update(reviewed_at="2026-01-01T00:00Z")
    queue = ReplyToReview.objects.to_review()
    assert list(queue.values_list("document_id", flat=True)) == ["new-reply"]


@pytest.mark.django_db
def test_corpus_replies_enrich_106_known_replies(corpus_commitments):
    assert commitments_import_paths(paths=[corpus_commitments]).ok
    files = sorted((corpus_commitments.parent / "replies").glob("*.jsonl"))
    report = replies_import(paths=files)
    assert report.ok, report.errors
    assert (report.replies, report.created, report.enriched) == (110, 4, 106)
    assert replies_import(paths=files).unchanged == 110


@pytest.mark.django_db
def test_reply_cited_by_a_chunk_id_is_enriched_not_added(tmp_path):
    known = make_commitment(source=make_source(document_id="chunk-2")).source
    lines = [
        json.dumps({"id": chunk, "payload": json.loads(reply_line("base"))["payload"]})
        for chunk in ("chunk-1", "chunk-2")
    ]
    report = replies_import(paths=[write(tmp_path, *lines)])
    assert (report.created, report.enriched) == (0, 1)
    assert list(Source.objects.values_list("document_id", flat=True)) == ["chunk-2"]
    known.refresh_from_db()
    assert known.ly_number == "（立法院函　編號：11-2-4-1）"


@pytest.mark.django_db
@pytest.mark.parametrize("newline", [b"\n", b""], ids=["then-a-good-line", "at-the-end"])
def test_a_huge_line_is_skipped_without_being_held_in_memory(tmp_path, newline):
    size = 24 * 1024 * 1024
    path = tmp_path / "replies.jsonl"
    with open(path, "wb") as handle:
        handle.write(reply_line("b-1").encode() + b"\n")
        handle.write(b'{"payload": "' + b"x" * (size - 15) + b'"}' + newline)
        if newline:
            handle.write(reply_line("b-2").encode() + b"\n")

    tracemalloc.start()
    try:
        report = replies_import(paths=[path])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 3 * MAX_LINE_BYTES  # the line is 24 MB; it was read whole before
    assert report.errors == [
        f"{path}:2: {size:,} bytes; a line may hold at most {MAX_LINE_BYTES:,} bytes "
        "(skipped without reading it into memory)"
    ]
    expected = ["b-1", "b-2"] if newline else ["b-1"]
    assert sorted(Source.objects.values_list("document_id", flat=True)) == expected


@pytest.mark.parametrize("extra", [0, 1])
def test_a_line_at_the_limit_is_read_and_one_byte_more_is_not(extra):
    raw = b"a" * (10 + extra) + b"\nnext\n"
    lines = list(bounded_lines(io.BytesIO(raw), 10, chunk=3))
    assert lines[0] == ((b"a" * 10 + b"\n", 10) if not extra else (None, 11))
    assert lines[1] == (b"next\n", 4)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda path: path.mkdir(), "a folder, not a regular file"),
        (lambda path: os.mkfifo(path), "a FIFO (named pipe), not a regular file"),
        (lambda path: None, "no such file"),
    ],
    ids=["folder", "fifo", "missing"],
)
def test_a_path_that_is_not_a_file_is_reported_in_one_line(tmp_path, make, why):
    path = tmp_path / "replies.jsonl"
    make(path)
    report = replies_import(paths=[path])
    assert report.errors == [f"{path}: {why}"]
