"""Generated commitments survive export → import → export unchanged."""

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.core import format as fmt
from tracker.core.links import web_url_problem
from tracker.core.models import Commitment, Source
from tracker.core.services.commitment_export import commitments_export
from tracker.core.services.commitment_import import commitments_import_paths

pytestmark = pytest.mark.django_db

# Text an editor might type: CJK, ASCII, full-width punctuation, quotes, backslashes, and
# the characters YAML treats specially; no line breaks in one-line fields.
CHARACTERS = st.characters(
    codec="utf-8",
    exclude_categories=("Cs", "Cc"),
    exclude_characters="\u2028\u2029\x85",
) | st.sampled_from(list("\"\\:#&*!|>{}[]%@`'-—：，。「」　\t"))
line = st.text(CHARACTERS, min_size=0, max_size=30)
non_blank_line = line.filter(lambda text: text.strip() != "")
paragraph = (
    st.lists(non_blank_line, min_size=1, max_size=3)
    .map("\n".join)
    .filter(
        lambda text: (
            not any(part.startswith("## ") for part in text.split("\n"))
            and text.strip("\n") == text
        )
    )
)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31))
identifier = st.uuids().map(str)
digits = st.from_regex(r"\A[0-9]{2}\Z")
status = st.sampled_from(fmt.STATUSES)
optional_line = st.none() | non_blank_line
# Addresses are http(s) or empty (tracker.core.links); the path is any text the rule allows.
web_address = st.just("") | st.builds(
    lambda scheme, host, path: f"{scheme}://{host}.example/{path}",
    st.sampled_from(["http", "https", "HTTPS"]),
    st.from_regex(r"\A[a-z0-9-]{1,12}\Z"),
    line.filter(lambda text: web_url_problem(f"https://h.example/{text}") is None),
)


@st.composite
def log_entries(draw):
    kind = draw(st.sampled_from([*fmt.KINDS, "編輯備註"]))
    entry_date = draw(dates)
    shape = draw(st.sampled_from([fmt.SHAPE_TEXT, fmt.SHAPE_STATUS_RULE, fmt.SHAPE_EVIDENCE]))
    if shape == fmt.SHAPE_STATUS_RULE:
        return fmt.LogEntryData(
            entry_date,
            kind,
            shape=shape,
            from_status=draw(status),
            to_status=draw(status),
            reason=draw(line),
        )
    if shape == fmt.SHAPE_EVIDENCE:
        return fmt.LogEntryData(
            entry_date,
            kind,
            shape=shape,
            source_type=draw(line),
            document_number=draw(line),
            document_url=draw(web_address),
            summary=draw(line),
            judgement=draw(
                st.sampled_from(["進度更新", "達成證據", "相關資訊", "関連資訊"]) | line
            ),
        )
    # A text entry cannot start with "### " (it would read as the next entry's heading).
    text = draw(paragraph.filter(lambda t: fmt._fields(t) is None and not t.startswith("### ")))
    return fmt.LogEntryData(entry_date, kind, text=text)


@st.composite
def commitments(draw):
    return fmt.CommitmentData(
        id=draw(identifier),
        title=draw(non_blank_line),
        category=draw(non_blank_line),
        status=draw(status),
        target_date=draw(st.none() | dates.map(str) | st.sampled_from(["109-12-31", "YYYY-05-31"])),
        target_value=draw(optional_line),
        responsible_agency=draw(optional_line),
        source=fmt.SourceData(
            document_id=draw(identifier),
            term=draw(digits),
            session_period=draw(digits),
            ey_number=draw(line),
            url=draw(web_address),
        ),
        created_at=draw(dates),
        last_updated=draw(dates),
        wording=draw(paragraph),
        reply=draw(
            st.none() | st.builds(fmt.ReplyData, subject=line, text=st.just("") | paragraph)
        ),
        log=draw(st.lists(log_entries(), max_size=4)),
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=commitments())
def test_generated_commitment_survives_export_import_export(data):
    Commitment.objects.all().delete()
    Source.objects.all().delete()
    text = fmt.render(data)
    assert fmt.parse(text) == data
    with tempfile.TemporaryDirectory() as folder:
        source_dir = Path(folder, "in")
        path = source_dir / "類別" / "承諾.md"
        path.parent.mkdir(parents=True)
        path.write_bytes(text.encode("utf-8"))
        report = commitments_import_paths(paths=[source_dir])
        assert report.ok, report.failed
        commitments_export(directory=Path(folder, "out"))
        first = Path(folder, "out", "類別", "承諾.md").read_bytes()
        assert first == text.encode("utf-8")
        report = commitments_import_paths(paths=[Path(folder, "out")])
        assert report.unchanged == 1
        commitments_export(directory=Path(folder, "out"))
        assert Path(folder, "out", "類別", "承諾.md").read_bytes() == first
