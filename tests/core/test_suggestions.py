import os
import subprocess
import sys
from pathlib import Path

from tracker.core.suggestions import (
    CommitmentDoc,
    SuggestionIndex,
    commitment_text,
    highlight_spans,
    matched_terms,
    normalise,
    passages,
    segments,
    terms,
)

REPLY_A = (
    "委員就疫苗問題所提質詢，經交據衛生福利部查復如下：一、流感疫苗已於9月完成採購並全數到貨。"
    "二、長照服務據點已布建至九成國中學區。"
)
REPLY_B = "委員就交通問題所提質詢，經交據交通部查復如下：一、偏鄉幸福巴士新增22條路線。"
COMMITMENTS = [
    ("vaccine", commitment_text("流感疫苗採購", "每年10月前完成流感疫苗採購", "衛生福利部")),
    ("care", commitment_text("長照服務據點", "長照服務據點擴充至每一國中學區", "衛福部")),
    ("bus", commitment_text("偏鄉幸福巴士", "新增30條偏鄉需求反應式公車路線", "交通部")),
]


def index():
    return SuggestionIndex(COMMITMENTS, [("a", REPLY_A), ("b", REPLY_B)])


def test_passages_cover_the_text_in_order_and_split_at_enumerators():
    parts = passages(REPLY_A, limit=40)
    assert "".join(p.text for p in parts) == REPLY_A
    assert [REPLY_A[p.start : p.end] for p in parts] == [p.text for p in parts]
    assert any(p.text.startswith("二、") for p in parts)


def test_passages_of_empty_text_is_one_empty_passage():
    assert [p.text for p in passages("")] == [""]


def test_reply_ranks_the_commitment_it_answers_first_with_the_matching_passage():
    ranked = index().commitments_for_reply("a", limit=3)
    assert [s.key for s in ranked][:2] in (["vaccine", "care"], ["care", "vaccine"])
    assert ranked[-1].key == "bus"
    best = {s.key: s.passage.text for s in ranked}
    assert "流感疫苗" in best["vaccine"]
    assert "長照服務據點" in best["care"]


def test_unindexed_text_is_ranked_like_an_indexed_reply():
    assert [s.key for s in index().commitments_for_text(REPLY_B, limit=1)] == ["bus"]


def test_commitment_ranks_the_reply_that_concerns_it_and_honours_exclusions():
    idx = index()
    assert [s.key for s in idx.replies_for_commitment("bus", limit=2)] == ["b", "a"]
    assert [s.key for s in idx.replies_for_commitment("bus", limit=2, exclude=["b"])] == ["a"]


def test_limit_caps_the_suggestions():
    assert len(index().commitments_for_reply("a", limit=1)) == 1
    assert index().commitments_for_reply("a", limit=0) == []


def test_highlight_marks_runs_shared_with_the_commitment_not_punctuation():
    passage = "一、流感疫苗已於9月完成採購。"
    spans = highlight_spans(passage, "每年10月前完成流感疫苗採購")
    assert [passage[a:b] for a, b in spans] == ["流感疫苗", "完成採購"]


def test_segments_rebuild_the_text_with_marked_pieces():
    pieces = segments("abcdef", [(1, 3), (4, 5)])
    assert pieces == [("a", False), ("bc", True), ("d", False), ("e", True), ("f", False)]
    assert "".join(piece for piece, _ in pieces) == "abcdef"


def test_bare_numbers_are_not_marked():
    passage = "我國少子女化政策計畫（107-113年）"
    spans = highlight_spans(passage, "110年增設少子女化班級")
    assert [passage[a:b] for a, b in spans] == ["少子女化"]


def test_boilerplate_is_not_a_term_and_aliases_and_tai_are_folded():
    text = "行政院函送張委員育美就第10屆第5會期施政質詢之書面答復，請查照案。台電與衛福部"
    found = terms(text)
    assert not {"委員", "育美", "會期", "質詢", "答復", "查照"} & set(found)
    assert {"臺灣", "電力", "衛生", "福利"} <= set(found)


def test_boilerplate_is_never_marked():
    passage = "張委員就第10屆第5會期長照問題所提質詢，一、長照服務據點已布建。"
    marked = [passage[a:b] for a, b in highlight_spans(passage, "委員關心長照服務據點，第10屆")]
    assert marked == ["長照", "長照服務據點"]
    spans = highlight_spans(passage, "委員關心長照服務據點，第10屆")
    assert matched_terms(passage, spans) == ["長照服務據點", "長照"]


def test_passages_split_at_arabic_enumerators_after_a_sentence():
    parts = passages("說明如下：1.第一點內容。2.第二點內容。", limit=10)
    assert [p.text for p in parts] == ["說明如下：", "1.第一點內容。", "2.第二點內容。"]


def test_same_category_as_the_replys_own_commitments_breaks_a_tie():
    docs = [
        CommitmentDoc("own", "偏鄉幸福巴士路線", "交通部", "交通", "r"),
        CommitmentDoc("other-category", "公車站牌更新", "交通部", "教育", None),
        CommitmentDoc("same-category", "公車站牌更新", "交通部", "交通", None),
    ]
    idx = SuggestionIndex(docs, [("r", "偏鄉幸福巴士路線已新增；公車站牌更新中。")])
    ranked = [s.key for s in idx.commitments_for_reply("r", limit=3, exclude=idx.drawn_from("r"))]
    assert idx.drawn_from("r") == ["own"]
    assert ranked == ["same-category", "other-category"]


def test_agency_names_survive_folding_and_boilerplate():
    assert normalise("行政院農業委員會與農委會") == "行政院農業委員會與行政院農業委員會"
    assert "金融監督管理委員會" in normalise("金管會")


def test_an_index_with_nothing_in_it_ranks_nothing_instead_of_failing():
    for replies in ([], [("a", "")], [("a", REPLY_A)]):
        idx = SuggestionIndex([], replies)
        assert idx.commitments_for_text(REPLY_A, limit=5) == []
        if replies:
            assert idx.commitments_for_reply("a", limit=5) == []
    lonely = SuggestionIndex(COMMITMENTS[:1], [])
    assert lonely.replies_for_commitment("vaccine", limit=5) == []
    assert [s.key for s in lonely.commitments_for_text(REPLY_A, limit=5)] == ["vaccine"]


def test_starting_django_does_not_import_the_numeric_libraries():
    # The admin imports this module at start (every management command, every worker):
    # numpy, scipy and scikit-learn load on the first suggestion only.
    code = (
        "import sys, django; django.setup(); from django.contrib import admin; "
        "admin.autodiscover(); import tracker.core.services.evidence; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'scipy', 'sklearn'}))"
    )
    environment = os.environ | {"DJANGO_SETTINGS_MODULE": "config.test_settings"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"
