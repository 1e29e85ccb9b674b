"""English pages say everything in English: no None, no Chinese punctuation, no msgid left.

The commitments here hold English data, except what must stay as written (the cited
documents' numbers, categories): those values are taken out of the page before it is read,
so every Chinese character left would come from a template. Upstream's judgement words and
source types (達成證據, 立法院答復 …) are translated where the catalogue knows them.
"""

import datetime as dt
import html as html_lib
import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import make_citation, make_commitment, make_log, make_source
from tracker.core.models import Commitment, EntryKind, EntryShape, Status

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Full-width and CJK punctuation, in text and in attributes (labels, titles).
PUNCTUATION = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")
DAY = dt.date(2026, 1, 26)
NUMBERS = itertools.count()


def english_commitment(target, **values):
    source = make_source(subject="Reply to a written question", reply_text="The reply says yes.")
    commitment = make_commitment(
        source=source,
        title=f"Commitment aiming at {target or 'no date'}",
        file_path=f"health/{next(NUMBERS)}.md",
        category="Public health",
        responsible_agency=values.pop("responsible_agency", "Ministry of Health"),
        target_date_text=target,
        target_value=values.pop("target_value", None),
        wording="We will buy vaccines.",
        log=False,
        **values,
    )
    make_log(commitment, text="Extracted from the reply.", entry_date=DAY)
    return commitment


@pytest.fixture
def commitments(db, django_user_model):
    editor = django_user_model.objects.create_user("english-editor", password="x")
    made = []
    for target in (None, "109-12-31", "2023-12-31", "YYYY-05-31"):
        commitment = english_commitment(target, status=Status.ACHIEVED)
        make_log(
            commitment,
            kind=EntryKind.STATUS_CHANGE,
            shape=EntryShape.STATUS_RULE,
            from_status=Status.TRACKING,
            to_status=Status.DELAYED,
            reason="The target date has passed",
            entry_date=DAY,
            text="",
        )
        for day, number in ((27, 1), (28, 1), (29, 1)):  # one document cited three times
            make_citation(commitment, number, DAY.replace(day=day), summary=f"Progress {day}")
        for number in (2, 3, 4):  # a run of evidence status changes
            make_citation(
                commitment,
                number,
                DAY.replace(day=30),
                EntryKind.STATUS_CHANGE,
                "達成證據",
                summary=f"Evidence {number}",
            )
        make_citation(
            commitment,
            5,
            DAY.replace(day=31),
            summary="Reviewed progress",
            reviewed_by=editor,
            reviewed_at=timezone.now(),
        )
        make_citation(
            commitment,
            6,
            DAY.replace(day=31),
            summary="An editor's note",
            judgement="Progress",
            created_by=editor,
        )
        made.append(commitment)
    made.append(english_commitment(None, responsible_agency=None, target_value="100 sites"))
    return made


def english_url(name, *args) -> str:
    with translation.override("en"):
        url = reverse(name, args=args)
    assert url.startswith("/en/")
    return url


def main_text(response) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    main = page[page.index('<main id="main"') : page.index("</main>")]
    for commitment in Commitment.objects.all():
        for entry in commitment.log_entries.all():
            for value in (entry.document_number,):
                if value:
                    main = main.replace(html_lib.escape(value), "")
        main = main.replace(html_lib.escape(commitment.category), "")
        main = main.replace(html_lib.escape(commitment.source.ey_number), "")
    return main


def assert_english(text: str, where: str, *, words: bool = True) -> None:
    """Fail on None, Chinese punctuation, and (with WORDS) any Chinese character left."""
    visible = re.sub(r"<[^>]+>", " ", text)
    assert not re.search(r"\bNone\b", visible), where
    assert not PUNCTUATION.findall(text), f"{where}: {set(PUNCTUATION.findall(text))}"
    if not words:
        return
    found = sorted(set(CJK.findall(visible)))
    assert not found, f"{where}: {''.join(found)} in {visible[:2000]}"


def test_english_detail_pages_are_english(client, commitments):
    for commitment in commitments:
        url = english_url("public:commitment_detail", commitment.uid)
        for order in ("", "?order=oldest"):
            assert_english(main_text(client.get(url + order)), url + order)


def test_the_english_overview_is_english(client, commitments):
    url = english_url("public:overview")
    main = main_text(client.get(url))
    # Its explanations name Chinese agency spellings on purpose: words are checked where
    # the timeline's entries are.
    assert_english(main, url, words=False)
    assert_english(main[main.index('id="latest"') :], url)


def test_the_english_recent_page_is_english(client, commitments):
    url = english_url("public:recent")
    assert_english(main_text(client.get(url)), url)


def test_an_undetermined_target_says_so_in_words(client, commitments):
    url = english_url("public:commitment_detail", commitments[0].uid)
    assert "not set in the reply" in main_text(client.get(url))


def test_upstream_values_read_in_english_and_unknown_ones_as_written(client, db):
    commitment = english_commitment(None)
    make_citation(commitment, 1, DAY, EntryKind.STATUS_CHANGE, "達成證據", summary="Done")
    make_citation(commitment, 2, DAY, summary="More")  # 進度更新, 立法院答復
    unknown = make_citation(commitment, 3, DAY, judgement="<b>新判斷</b>", summary="New")
    unknown.source_type = "<i>新來源</i>"
    unknown.save()
    page = client.get(english_url("public:commitment_detail", commitment.uid)).content.decode()
    assert "Evidence of achievement" in page
    assert "Progress update" in page
    assert "Reply to the Legislative Yuan" in page
    assert "立法院答復" not in page
    # A value the catalogue does not know is shown as the file has it, escaped.
    assert "&lt;b&gt;新判斷&lt;/b&gt;" in page
    assert "&lt;i&gt;新來源&lt;/i&gt;" in page
    assert "<b>新判斷" not in page
