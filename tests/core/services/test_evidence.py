import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_commitment, make_source
from tracker.core import format as fmt
from tracker.core.models import Commitment
from tracker.core.services.commitment_export import commitment_render
from tracker.core.services.evidence import (
    commitment_log_reply,
    suggestion_index,
    suggestions_for_commitment,
    suggestions_for_reply,
)

DAY = dt.date(2026, 2, 1)


@pytest.fixture
def desk(db):
    vaccine = make_commitment(
        title="流感疫苗採購", wording="每年10月前完成流感疫苗採購，確保疫苗供應充足。"
    )
    bus = make_commitment(
        title="偏鄉幸福巴士",
        wording="114年底前新增30條偏鄉需求反應式公車路線。",
        responsible_agency="交通部",
    )
    reply = make_source(
        subject="行政院函送委員就偏鄉公車所提質詢之書面答復，請查照案。",
        reply_text="經交據交通部查復如下：一、偏鄉幸福巴士需求反應式路線已新增22條。",
        ey_number="（行政院函　中華民國115年3月10日院臺交字第1150000081號）",
        url="https://example.org/ly/115-03-0081.doc",
    )
    return vaccine, bus, reply


def test_reply_suggests_the_commitment_it_concerns_with_the_passage_marked(desk):
    _vaccine, bus, reply = desk
    suggestions = suggestions_for_reply(source=reply, limit=2)
    assert suggestions[0].commitment == bus
    marked = "".join(piece for piece, is_marked in suggestions[0].passage if is_marked)
    assert "偏鄉幸福巴士" in marked
    assert not suggestions[0].already_cites


def test_commitment_suggests_replies_but_not_its_own_source(desk):
    _vaccine, bus, reply = desk
    suggestions = suggestions_for_commitment(commitment=bus, limit=10)
    assert suggestions[0].source == reply
    assert bus.source not in [s.source for s in suggestions]


def test_index_is_rebuilt_when_a_commitment_changes(desk):
    vaccine = desk[0]
    first = suggestion_index()
    assert suggestion_index() is first
    vaccine.title = "流感疫苗採購（修訂）"
    vaccine.save()
    assert suggestion_index() is not first


def test_index_is_kept_when_a_change_leaves_every_text_as_it_was(desk):
    _vaccine, bus, reply = desk
    first = suggestion_index()
    commitment_log_reply(
        commitment=bus, source=reply, summary="新增22條路線。", judgement="進度更新", entry_date=DAY
    )
    assert suggestion_index() is first


def test_suggestions_take_three_queries(desk, django_assert_num_queries):
    reply = desk[2]
    suggestion_index()
    # The data version, the suggested commitments, which of them cite the reply already.
    with django_assert_num_queries(3):
        suggestions_for_reply(source=reply)


def test_suggestions_say_which_terms_matched(desk):
    _vaccine, bus, reply = desk
    first = suggestions_for_reply(source=reply, limit=1)[0]
    assert first.commitment == bus
    assert first.terms[0] == "偏鄉幸福巴士需求反應式路線"
    assert "委員" not in "".join(first.terms)


def test_logging_a_reply_writes_the_evidence_entry_as_the_pipeline_does(desk):
    _vaccine, bus, reply = desk
    commitment_log_reply(
        commitment=bus,
        source=reply,
        summary="答復指出已新增22條\n需求反應式路線。",
        judgement="進度更新",
        entry_date=DAY,
    )
    text = commitment_render(commitment=Commitment.objects.with_timeline().get(pk=bus.pk))
    assert text.endswith(
        "### 2026-02-01 [進度更新]\n"
        "**來源類型**：立法院答復\n"
        "**文件編號**：（行政院函　中華民國115年3月10日院臺交字第1150000081號）\n"
        "**來源連結**：https://example.org/ly/115-03-0081.doc\n"
        "**內容摘要**：答復指出已新增22條 需求反應式路線。\n"
        "**AI 判斷**：進度更新\n"
    )
    assert suggestions_for_reply(source=reply, limit=1)[0].already_cites


def test_evidence_of_achievement_marks_the_commitment_achieved(desk):
    _vaccine, bus, reply = desk
    entry = commitment_log_reply(
        commitment=bus, source=reply, summary="已全數完成。", judgement="達成證據", entry_date=DAY
    )
    bus.refresh_from_db()
    assert bus.status == fmt.STATUS_ACHIEVED
    assert (entry.kind, entry.shape, entry.judgement) == ("狀態變更", "evidence", "達成證據")


def test_empty_summary_is_refused_naming_the_field(desk):
    _vaccine, bus, reply = desk
    with pytest.raises(ValidationError) as error:
        commitment_log_reply(
            commitment=bus, source=reply, summary="  ", judgement="進度更新", entry_date=DAY
        )
    assert "summary" in error.value.message_dict
    assert bus.log_entries.count() == 1
