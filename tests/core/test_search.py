import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import make_commitment, make_source
from tests.samples import sample  # noqa: F401
from tracker.core import search
from tracker.core.models import Commitment, SearchDocument
from tracker.core.services.commitment_import import commitments_import_paths
from tracker.core.services.search_index import search_index_rebuild
from tracker.core.services.timeline import Evidence, commitment_change_status, tracking_log_add


def found(query, kind=None):
    parsed = search.parse_query(query)
    return set(
        Commitment.objects.filter(search.matching(parsed, kind)).values_list("title", flat=True)
    )


def test_cjk_characters_become_single_tokens_and_words_stay_whole():
    assert search.tokens_of("疫苗採購 COVID-19，１１０年") == [
        "疫", "苗", "採", "購", "covid", "19", "110", "年",
    ]  # fmt: skip


def test_query_terms_drop_punctuation_and_duplicates():
    query = search.parse_query("  疫苗  「疫苗」 、 電網 ")
    assert [term.tokens for term in query.terms] == [("疫", "苗"), ("電", "網")]
    assert not search.parse_query("，。！")


def test_last_word_of_a_term_matches_as_a_prefix_but_cjk_does_not():
    assert search.parse_query("vacc").terms[0].fts5() == '"vacc"*'
    assert search.parse_query("疫苗").terms[0].fts5() == '"疫 苗"'
    assert search.parse_query("covid 疫").terms[0].tsquery() == "'covid':*"


@pytest.mark.django_db
def test_two_character_queries_find_commitments_by_their_own_text_and_reply():
    source = make_source(reply_text="持續強化電網韌性。")
    make_commitment(title="流感疫苗採購", source=make_source(reply_text="無關"))
    make_commitment(title="分散式電源", source=source, wording="增加備援")
    make_commitment(title="路燈養護", source=make_source(reply_text="無關"), wording="照明")
    search_index_rebuild()
    assert found("疫苗") == {"流感疫苗採購"}
    assert found("電網") == {"分散式電源"}
    assert found("疫苗 電網") == set()


@pytest.mark.usefixtures("sample")
def test_every_index_gives_the_substring_answer():
    kind = search.index_kind()
    assert kind == {"sqlite": "fts5", "postgresql": "tsvector"}.get(connection.vendor, kind)
    for query in ["疫苗", "電網", "衛福部", "長照 據點", "2024", "covid", "example", "追蹤"]:
        assert found(query, kind) == found(query, "substring"), query


@pytest.mark.usefixtures("sample")
def test_import_indexes_commitments_and_replies():
    assert found("疫苗") >= {"每年10月前完成流感疫苗採購確保供應"}
    # The reply text of the vaccine reply also names 長照; its commitments match through it.
    assert "長照服務據點擴充至每一國中學區一處" in found("流感疫苗")
    assert SearchDocument.objects.filter(commitment__isnull=False).count() == 9


@pytest.mark.django_db
def test_reimport_of_a_changed_file_updates_the_index(tmp_path, fixtures_dir):
    commitments_import_paths(paths=[fixtures_dir])
    original = next(fixtures_dir.glob("教育/*.md"))
    changed = tmp_path / "教育" / original.name
    changed.parent.mkdir()
    changed.write_text(
        original.read_text(encoding="utf-8").replace("學習載具", "學習平板電腦"), encoding="utf-8"
    )
    commitments_import_paths(paths=[tmp_path])
    assert "中小學生每生一台學習平板電腦" in found("平板電腦")


@pytest.mark.django_db
def test_timeline_services_index_new_summaries_and_reasons():
    commitment = make_commitment(title="某項承諾")
    search_index_rebuild()
    assert found("離岸") == set()
    tracking_log_add(
        commitment=commitment,
        evidence=Evidence(
            document_number="院臺字第1號",
            document_url="https://example.org/1.doc",
            summary="離岸風電第三階段完成招標",
            judgement="進度更新",
        ),
    )
    assert found("離岸") == {"某項承諾"}
    commitment_change_status(commitment=commitment, to_status="已延宕", reason="目標日期已過期")
    assert found("過期") == {"某項承諾"}


@pytest.mark.django_db
def test_search_only_shows_published_commitments():
    make_commitment(title="公開的疫苗承諾")
    make_commitment(title="草稿的疫苗承諾", is_published=False)
    search_index_rebuild()
    assert set(Commitment.objects.published().search("疫苗").values_list("title", flat=True)) == {
        "公開的疫苗承諾"
    }


@pytest.mark.django_db
def test_sqlite_index_stays_consistent_after_updates_and_deletes():
    if connection.vendor != "sqlite":
        pytest.skip("FTS5 is SQLite's")
    commitment = make_commitment(title="電網")
    search_index_rebuild()
    search_index_rebuild()
    commitment.delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tracker_searchdocument_fts(tracker_searchdocument_fts) "
            "VALUES ('integrity-check')"
        )
    assert found("電網") == set()


def test_highlight_escapes_text_and_marks_matches_across_full_width_forms():
    query = search.parse_query("疫苗 covid")
    html = search.highlight("<b>疫、苗</b> ＣＯＶＩＤ-19", query)
    assert html == "&lt;b&gt;<mark>疫、苗</mark>&lt;/b&gt; <mark>ＣＯＶＩＤ</mark>-19"


def test_snippet_shows_the_text_around_the_first_match():
    text = "甲" * 200 + "疫苗" + "乙" * 200
    excerpt = search.snippet(text, search.parse_query("疫苗"), context=10)
    assert excerpt == "…" + "甲" * 10 + "<mark>疫苗</mark>" + "乙" * 20 + "…"
    assert search.snippet("沒有", search.parse_query("疫苗")) is None


cjk = st.sampled_from(list("疫苗電網採購長照據點衛福部、，。 ")) | st.sampled_from(["a", "1", " "])


@pytest.mark.django_db
@settings(max_examples=30, deadline=None)
@given(texts=st.lists(st.text(cjk, min_size=1, max_size=12), min_size=1, max_size=4),
       query=st.text(cjk, min_size=1, max_size=4))  # fmt: skip
def test_index_and_substring_fallback_always_agree(texts, query):
    Commitment.objects.all().delete()
    for number, text in enumerate(texts):
        make_commitment(title=f"t{number}", wording=text + "。")
    search_index_rebuild()
    assert found(query) == found(query, "substring")
