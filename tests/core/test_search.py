import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.factories import make_commitment, make_log, make_source
from tests.samples import sample  # noqa: F401
from tracker.core import search
from tracker.core.agencies import ALIAS_GROUPS
from tracker.core.models import Commitment, SearchDocument, Source
from tracker.core.services.commitment_import import commitments_import_paths
from tracker.core.services.search_index import (
    search_document_commitment_set,
    search_index_rebuild,
)
from tracker.core.services.source_editing import source_create, source_update
from tracker.core.services.timeline import Evidence, commitment_change_status, tracking_log_add
from tracker.core.variants import VARIANTS


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
    assert search.parse_query("covid 疫").terms[0].tsqueries() == [("'covid':*", None)]
    assert search.parse_query("covid19疫").terms[0].tsqueries() == [("'covid19' <-> '疫'", None)]


def test_two_cjk_characters_are_asked_of_their_pair_on_postgresql():
    assert search.parse_query("疫苗").terms[0].tsqueries() == [(None, "疫苗")]
    # Longer, with a word among the characters, or one character alone: the tokens' phrase.
    assert search.parse_query("社會住宅").terms[0].tsqueries() == [
        ("'社' <-> '會' <-> '住' <-> '宅'", None)
    ]
    assert search.parse_query("5G網").terms[0].tsqueries() == [("'5g' <-> '網'", None)]
    assert search.parse_query("疫").terms[0].tsqueries() == [("'疫'", None)]
    # A lone letter that is not CJK is a word's prefix, which a pair cannot say.
    assert search.parse_query("疫é").terms[0].tsqueries() == [("'疫' <-> 'é':*", None)]
    # An agency's spellings: each its own way.
    assert search.parse_query("健保署").terms[0].tsqueries()[0] == ("'健' <-> '保' <-> '署'", None)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["index", "substring"])
def test_pairs_do_not_join_characters_across_words_or_punctuation_the_tokens_keep(kind):
    make_commitment(title="甲", wording="推動社會5住宅政策")  # a number between
    make_commitment(title="乙", wording="社會、住宅")  # punctuation is not between tokens
    make_commitment(title="丙", wording="會住宅社")
    search_index_rebuild()
    kind = None if kind == "index" else kind
    assert found("社會住宅", kind) == {"乙"}
    assert found("會住", kind) == {"乙", "丙"}
    assert found("宅社", kind) == {"丙"}
    assert found("會5", kind) == {"甲"}
    assert found("會5住宅", kind) == {"甲"}
    assert found("5住", kind) == {"甲"}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["index", "substring"])
def test_a_lone_letter_after_a_character_still_matches_as_a_prefix(kind):
    make_commitment(title="甲", wording="疫école")
    make_commitment(title="乙", wording="疫é")
    make_commitment(title="丙", wording="疫 α-test")
    search_index_rebuild()
    kind = None if kind == "index" else kind
    assert found("疫é", kind) == {"甲", "乙"}
    assert found("疫α", kind) == {"丙"}


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
    documents = SearchDocument.objects.filter(commitment__isnull=False)
    assert documents.values("commitment").distinct().count() == 9
    # One document per part: title and own text always, the timeline when there is one.
    assert set(documents.values_list("part", flat=True)) == {
        search.TITLE,
        search.OWN,
        search.TIMELINE,
    }


def log_summary(commitment, summary):
    """Log a progress entry through the timeline service, as an editor does."""
    tracking_log_add(
        commitment=commitment,
        evidence=Evidence(
            document_number="院臺字第1號",
            document_url="https://example.org/1.doc",
            summary=summary,
            judgement="進度更新",
        ),
    )


def assert_keyed_by_owner_and_part():
    rows = SearchDocument.objects.values_list("id", "commitment_id", "source_id", "part")
    assert rows
    for key, commitment_id, source_id, part in rows:
        assert (part == search.REPLY) == (source_id is not None)
        assert key == search.document_key(commitment_id or source_id, part)
        assert (key >> search.KEY_BITS, key & search.PART_MASK) == (
            commitment_id or source_id,
            part,
        )


@pytest.mark.usefixtures("sample")
def test_every_writer_keys_documents_by_owner_and_part():
    assert_keyed_by_owner_and_part()  # the import
    commitment = Commitment.objects.filter(log_entries__isnull=True).first() or make_commitment(
        title="新承諾", log=False
    )
    log_summary(commitment, "新增的摘要")  # a new timeline document
    source = commitment.source
    source_update(source=source, base_version=source.version, changes={"subject": "新的案由"})
    source_create(
        document_id="99999999-0000-0000-0000-000000000000",
        term="11",
        session_period="01",
        subject="另一份答復",
    )
    assert_keyed_by_owner_and_part()
    search_index_rebuild()
    assert_keyed_by_owner_and_part()
    assert found("新增的摘要") == {commitment.title}
    assert "另一份答復" not in found("另一份答復")  # no commitment cites it yet


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("owner", "part", "key"),
    [
        ("commitment", search.TITLE, lambda c, s: 12345),  # a counter's id
        ("commitment", search.OWN, lambda c, s: search.document_key(c.pk, search.TITLE)),
        ("commitment", search.REPLY, lambda c, s: search.document_key(c.pk, search.REPLY)),
        ("source", search.TITLE, lambda c, s: search.document_key(s.pk, search.TITLE)),
        ("source", search.REPLY, lambda c, s: search.document_key(c.pk + 1, search.REPLY)),
    ],
)
def test_a_document_keyed_otherwise_is_refused(owner, part, key):
    commitment = make_commitment(title="鍵")
    SearchDocument.objects.all().delete()
    owner_field = {owner: commitment if owner == "commitment" else commitment.source}
    with pytest.raises(IntegrityError), transaction.atomic():
        SearchDocument.objects.create(
            id=key(commitment, commitment.source), part=part, tokens=" 鍵 ", **owner_field
        )
    assert not SearchDocument.objects.exists()


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
    log_summary(commitment, "離岸風電第三階段完成招標")
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


def test_highlight_maps_characters_that_fold_into_several_back_to_the_original():
    # NFKC makes ﬁ two letters and ㍿ four characters: the marks still fall on the original.
    assert search.highlight("ﬁle 疫苗", search.parse_query("file")) == "<mark>ﬁle</mark> 疫苗"
    assert search.highlight("㍿ﬁ疫苗ﬁ", search.parse_query("疫苗")) == "㍿ﬁ<mark>疫苗</mark>ﬁ"
    assert search.highlight("株式会社の㍿", search.parse_query("会社")) == (
        "株式<mark>会社</mark>の<mark>㍿</mark>"
    )


def _spans_character_by_character(text, query):
    """The spans as the first implementation found them: every character normalised alone."""
    pattern = search._pattern(query)
    folded = [search.normalise(char) for char in text]
    origin = [index for index, piece in enumerate(folded) for _ in piece]
    return [
        (origin[match.start()], origin[match.end() - 1] + 1)
        for match in pattern.finditer("".join(folded))
        if match.end() > match.start()
    ]


folding = st.sampled_from(list("疫苗台臺衞衛ßﬁ㍿㈱ＡａBbİ、，1１ "))


@settings(max_examples=200, deadline=None)
@given(text=st.text(folding, max_size=30), query=st.text(folding, min_size=1, max_size=4))
def test_excerpt_spans_are_those_of_each_character_normalised_alone(text, query):
    parsed = search.parse_query(query)
    if parsed:
        assert search.match_spans(text, parsed) == _spans_character_by_character(text, parsed)


def test_excerpt_spans_stay_right_once_no_more_characters_are_learnt(monkeypatch):
    folds = search._CharacterFolds()
    folds.LIMIT = 3
    monkeypatch.setattr(search, "_folds", folds)
    query = search.parse_query("臺灣 file")
    for text in ("台灣", "ﬁle 台灣", "㍿ﬁ台灣ß", "臺灣ＦＩＬＥ"):
        assert search.match_spans(text, query) == _spans_character_by_character(text, query)
    assert len(folds.known) <= 3


def test_snippet_shows_the_text_around_the_first_match():
    text = "甲" * 200 + "疫苗" + "乙" * 200
    excerpt = search.snippet(text, search.parse_query("疫苗"), context=10)
    assert excerpt == "…" + "甲" * 10 + "<mark>疫苗</mark>" + "乙" * 20 + "…"
    assert search.snippet("沒有", search.parse_query("疫苗")) is None


# Lone letters that are not CJK (é, α) are words to the index, so prefixes (疫é finds 疫école).
cjk = st.sampled_from(list("疫苗電網採購長照據點衛福部生利台臺污汙、，。 ")) | st.sampled_from(
    ["a", "1", " ", "é", "α", "β", "-"]
)


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


KINDS = ["index", "substring"]


def _kind(name):
    return None if name == "index" else name


def _plain(**values):
    """A commitment whose only searchable text is what the test gives it."""
    source = make_source(subject="函", reply_text=values.pop("reply_text", "無關"))
    values.setdefault("wording", "無關")
    return make_commitment(
        source=source, responsible_agency=values.pop("agency", "教育部"), **values
    )


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_every_variant_pair_finds_the_same_commitments_either_way(kind):
    expected = {}
    for number, (variant, standard) in enumerate(VARIANTS.items()):
        # The variant in one commitment's title, the standard form in another's reply.
        _plain(title=f"題{number}{variant}{variant}測")
        _plain(title=f"回覆{number}", reply_text=f"{standard}{standard}測")
        expected[variant, standard] = {f"題{number}{variant}{variant}測", f"回覆{number}"}
    search_index_rebuild()
    for (variant, standard), titles in expected.items():
        assert found(f"{variant}{variant}測", _kind(kind)) == titles, variant
        assert found(f"{standard}{standard}測", _kind(kind)) == titles, standard
        assert found(f"{variant}{standard}測", _kind(kind)) == titles, variant + standard


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_taipei_and_taiwan_are_found_under_both_spellings_in_every_part(kind):
    _plain(title="台北捷運")
    _plain(title="甲", wording="臺北市")
    _plain(title="乙", reply_text="台北市")
    timeline = _plain(title="丙")
    tracking_log_add(
        commitment=timeline,
        evidence=Evidence("院臺字第1號", "https://example.org/1.doc", "臺北站改建", "進度更新"),
    )
    search_index_rebuild()
    assert (
        found("台北", _kind(kind)) == found("臺北", _kind(kind)) == {"台北捷運", "甲", "乙", "丙"}
    )


@pytest.mark.django_db
@pytest.mark.parametrize("pair", ["髮發", "後后", "麵面", "週周", "菸煙", "檯台", "颱臺"])
def test_distinct_characters_are_not_merged(pair):
    first, second = pair
    _plain(title=f"理{first}")
    _plain(title=f"理{second}")
    search_index_rebuild()
    assert found(f"理{first}") == {f"理{first}"}
    assert found(f"理{second}") == {f"理{second}"}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_every_spelling_of_an_agency_finds_what_the_others_find(kind):
    for number, (canonical, aliases) in enumerate(ALIAS_GROUPS.items()):
        # The agency field under its last alias; another commitment names it in the wording.
        _plain(title=f"機關{number}", agency=(aliases or (canonical,))[-1])
        _plain(title=f"原文{number}", wording=f"由{canonical}辦理")
    search_index_rebuild()
    for number, (canonical, aliases) in enumerate(ALIAS_GROUPS.items()):
        answers = [found(spelling, _kind(kind)) for spelling in (canonical, *aliases)]
        assert all(answer == answers[0] for answer in answers), canonical
        assert {f"機關{number}", f"原文{number}"} <= answers[0], canonical


@pytest.mark.django_db
def test_health_ministry_abbreviation_finds_the_full_name_and_back():
    _plain(title="全名機關", agency="衛生福利部")
    _plain(title="簡稱原文", wording="請衛福部研議")
    _plain(title="回覆全名", reply_text="經衛生福利部查復")
    _plain(title="台電簡稱", agency="臺電")
    search_index_rebuild()
    assert found("衛福部") == found("衛生福利部") == {"全名機關", "簡稱原文", "回覆全名"}
    assert found("台電") == found("臺灣電力公司") == {"台電簡稱"}
    own = SearchDocument.objects.get(commitment__title="台電簡稱", part=search.OWN)
    assert " 灣 電 力 公 司 " in own.tokens  # the document lists the group's spellings


def test_a_term_naming_an_agency_matches_any_of_its_spellings():
    term = search.parse_query("衞福部").terms[0]  # a variant of the alias, too
    assert term.phrases == (("衛", "福", "部"), ("衛", "生", "福", "利", "部"))
    assert term.fts5() == '"衛 福 部" OR "衛 生 福 利 部"'
    assert term.tsqueries() == [
        ("'衛' <-> '福' <-> '部'", None),
        ("'衛' <-> '生' <-> '福' <-> '利' <-> '部'", None),
    ]
    assert search.parse_query("衛福部長").terms[0].alternatives == ()


def ranked(query, kind=None):
    parsed = search.parse_query(query)
    return list(
        Commitment.objects.filter(search.matching(parsed, kind))
        .alias(rank=search.relevance(parsed, kind))
        .order_by("rank", "-last_updated", "pk")
        .values_list("title", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_title_matches_come_first_then_wording_reply_and_timeline(kind):
    # The newest last: the order is the match's place, not the date.
    old, new = dt.date(2026, 1, 1), dt.date(2026, 3, 1)
    _plain(title="流感疫苗", last_updated=old)
    _plain(title="原文", wording="確保疫苗供應", last_updated=old + dt.timedelta(1))
    _plain(title="機關", agency="疾管署", last_updated=old + dt.timedelta(2))
    _plain(title="回覆", reply_text="疫苗採購", last_updated=old + dt.timedelta(3))
    summary = _plain(title="紀錄", last_updated=new)
    tracking_log_add(
        commitment=summary,
        evidence=Evidence("院臺字第1號", "https://example.org/1.doc", "疫苗到貨", "進度更新"),
    )
    summary.last_updated = new
    summary.save()
    search_index_rebuild()
    assert ranked("疫苗", _kind(kind)) == ["流感疫苗", "原文", "回覆", "紀錄"]
    assert ranked("疾病管制署", _kind(kind)) == ["機關"]
    # Several terms: a commitment ranks by its worst-placed term.
    assert ranked("流感 疫苗", _kind(kind)) == ["流感疫苗"]
    assert ranked("疫苗 供應", _kind(kind)) == ["原文"]


def test_highlights_mark_the_original_text_of_folded_matches():
    assert search.highlight("臺北市與台北縣", search.parse_query("台北")) == (
        "<mark>臺北</mark>市與<mark>台北</mark>縣"
    )
    for variant, standard in VARIANTS.items():
        html = search.highlight(f"甲{variant}乙{standard}", search.parse_query(standard))
        assert html == f"甲<mark>{variant}</mark>乙<mark>{standard}</mark>"
    assert search.highlight("衛生福利部與衛福部", search.parse_query("衛福部")) == (
        "<mark>衛生福利部</mark>與<mark>衛福部</mark>"
    )
    excerpt = search.snippet("甲" * 100 + "臺中港區", search.parse_query("台中"), context=5)
    assert excerpt == "…" + "甲" * 5 + "<mark>臺中</mark>港區"
    # 台電公司 is one of 台電's spellings: the longest spelling found is marked.
    assert search.highlight("臺電公司", search.parse_query("台電")) == "<mark>臺電公司</mark>"
    assert search.highlight("頭髮", search.parse_query("頭發")) == "頭髮"


# One row per commitment ---------------------------------------------------------------------


def _columns_rows() -> dict[int, tuple]:
    columns = ", ".join(
        search.COLUMNS if connection.vendor == "sqlite" else [f"{c}::text" for c in search.COLUMNS]
    )
    key = "rowid" if connection.vendor == "sqlite" else "commitment_id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, {columns} FROM {search.COLUMNS_TABLE}")  # noqa: S608
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def _as_stored(texts: list[str | None]) -> tuple:
    """Return a row's columns as the database should give them back: the paired text on
    SQLite; on PostgreSQL the tsvector its own parser makes of the paired text (the refresh
    builds it in Python: this checks it independently, for the plain words of these tests)."""
    values = [search.paired(text) for text in texts]
    if connection.vendor == "sqlite":
        return tuple(values)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(["to_tsvector('simple', %s)::text"] * len(values)),
            [value or "" for value in values],
        )
        return tuple(cursor.fetchone())


def _expected_rows() -> dict[int, tuple]:
    """Return each published commitment's documents by part (paired), its source's reply
    included."""
    tokens = dict(SearchDocument.objects.values_list("id", "tokens"))
    rows = {}
    for pk, source_id in Commitment.objects.published().values_list("pk", "source_id"):
        rows[pk] = _as_stored(
            [
                tokens.get(search.document_key(source_id if part == search.REPLY else pk, part))
                for part in (search.TITLE, search.OWN, search.REPLY, search.TIMELINE)
            ]
        )
    return rows


def _stale() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT commitment_id FROM {search.STALE_TABLE}")  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def _assert_rows_exact():
    assert _columns_rows() == _expected_rows()
    if connection.vendor == "sqlite":  # FTS5 checks its index against the stored text
        with connection.cursor() as cursor:
            table = search.COLUMNS_TABLE
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")  # noqa: S608


def _read_rows(queries) -> bool:
    """Whether the one-row index answered: a page read from it, no fallback statement (the
    first count names the index even when a stale row makes the documents answer)."""
    sqls = [query["sql"] for query in queries]
    return any(f"FROM {search.COLUMNS_TABLE} WHERE" in sql for sql in sqls) and not any(
        "AS MATERIALIZED" in sql for sql in sqls
    )


def _needs_columns():
    if not search.columns_table_exists():
        pytest.skip("this database has no one-row index (SQLite without FTS5)")


@pytest.mark.django_db
def test_every_write_through_a_service_leaves_the_rows_exact(fixtures_dir):
    from django.contrib.auth import get_user_model

    from tracker.core.services.commitment_editing import (
        commitment_publish,
        commitment_save,
        commitments_publish,
    )
    from tracker.core.services.commitment_merge import commitment_merge

    _needs_columns()
    chief = get_user_model().objects.create_superuser("chief", "chief@example.org", "pw")
    assert commitments_import_paths(paths=[fixtures_dir]).ok
    assert _stale() == set() and _columns_rows()
    _assert_rows_exact()
    commitment = Commitment.objects.published().order_by("pk").first()
    steps = [
        ("a timeline entry", lambda: log_summary(commitment, "離岸風電第三階段完成招標")),
        ("a status change", lambda: commitment_change_status(
            commitment=commitment, to_status="已延宕", reason="目標日期已過期"
        )),
        ("a reply edited", lambda: source_update(
            source=commitment.source,
            base_version=commitment.source.version,
            changes={"reply_text": "改寫後的答復：擴充長照據點。"},
        )),
        ("another source", lambda: commitment_save(
            commitment=commitment,
            base_version=commitment.version,
            changes={"source": Source.objects.exclude(pk=commitment.source_id).first()},
            user=chief,
        )),
        ("withdrawn", lambda: commitment_publish(
            commitment=commitment, user=chief, published=False
        )),
        ("published again", lambda: commitment_publish(commitment=commitment, user=chief)),
        ("several withdrawn", lambda: commitments_publish(
            commitments=list(Commitment.objects.published().exclude(pk=commitment.pk)[:3]),
            user=chief,
            published=False,
        )),
        ("merged", lambda: commitment_merge(
            kept=commitment, absorbed=Commitment.objects.published().exclude(pk=commitment.pk)[0],
            by=chief,
        )),
        ("the index rebuilt", search_index_rebuild),
    ]  # fmt: skip
    for name, step in steps:
        step()
        commitment.refresh_from_db()
        assert _stale() == set(), f"stale after {name}"
        assert _columns_rows() == _expected_rows(), f"after {name}"
    _assert_rows_exact()
    assert "改寫後的答復" not in str(_columns_rows())  # tokens, not text
    assert commitment.pk in _columns_rows()


@pytest.mark.django_db
def test_rows_follow_a_random_sequence_of_raw_writes_once_refreshed():
    """Writes that skip the services (the ORM, a migration, a shell) only mark rows stale;
    the next refresh makes them exact again, whatever changed."""
    import random

    from tracker.core.services.search_index import search_rows_refresh

    _needs_columns()
    rng = random.Random(5)
    sources = [make_source(reply_text=f"答復 {n}：疫苗與電網。") for n in range(3)]
    for n in range(8):
        make_commitment(title=f"疫苗 {n}", source=rng.choice(sources), is_published=n % 3 > 0)
    search_index_rebuild()

    def some():
        return Commitment.objects.order_by("?")

    def one():
        return some().first() or make_commitment(title="補上的疫苗", source=sources[0])

    writes = {
        "publish toggled": lambda: (
            some().filter(pk__in=some()[:2]).update(is_published=rng.random() < 0.5)
        ),
        "source moved": lambda: some().filter(pk=one().pk).update(source=rng.choice(sources)),
        "created": lambda: make_commitment(title="新的電網", source=rng.choice(sources)),
        "deleted": lambda: one().delete(),
        "reply rewritten": lambda: source_update(
            source=(source := rng.choice(sources)),
            base_version=Source.objects.get(pk=source.pk).version,
            changes={"reply_text": rng.choice(["長照", "電網韌性", "疫苗採購"])},
        ),
        "documents rebuilt": lambda: search_document_commitment_set(commitment=one()),
    }
    for _ in range(40):
        name = rng.choice(sorted(writes))
        writes[name]()
        search_rows_refresh()
        assert _stale() == set()
        assert _columns_rows() == _expected_rows(), f"after {name}"
    _assert_rows_exact()


@pytest.mark.django_db
def test_while_rows_are_stale_search_reads_the_documents_and_stays_right():
    from django.test.utils import CaptureQueriesContext

    from tracker.core.services.search_index import search_rows_refresh

    _needs_columns()
    kept = make_commitment(title="疫苗甲")
    hidden = make_commitment(title="疫苗乙")
    search_index_rebuild()
    Commitment.objects.filter(pk=hidden.pk).update(is_published=False)  # no service: stale
    assert _stale() == {hidden.pk}
    base = Commitment.objects.published().order_by().values_list("id", "last_updated", "title")
    sql, parameters = base.query.sql_with_params()
    query = search.parse_query("疫苗")
    with CaptureQueriesContext(connection) as queries:
        page = search.ranked_page(query, (sql, list(parameters)), limit=20, unfiltered=True)
    assert page == ([kept.pk], 1)
    assert not _read_rows(queries)
    assert any(  # the documents' index answered
        f"FROM {table} WHERE" in q["sql"]
        for q in queries
        for table in (search.FTS_TABLE, "tracker_searchdocument")
    )
    search_rows_refresh()
    with CaptureQueriesContext(connection) as queries:
        assert search.ranked_page(query, (sql, list(parameters)), limit=20, unfiltered=True) == page
    assert _read_rows(queries)


def test_pairs_join_neighbouring_single_characters_only():
    assert search.paired(" 疫 苗 採 購 covid 19 疫 ") == "疫苗 苗採 採購 購 covid 19 疫"
    # A letter pairs with a character beside it, never with another letter: α β paired
    # would be spelt as the word αβ.
    assert search.paired(" 疫 é α 1 ") == "疫é é α 1"
    assert search.paired(" α β 疫 ") == "α β疫 疫"
    assert search.paired("") == "" and search.paired(None) is None
    assert search._paired_term(search.parse_query("疫苗採購").terms[0]) == '"疫苗 苗採 採購"'
    assert search._paired_term(search.parse_query("疫").terms[0]) == '"疫"*'
    assert search._paired_term(search.parse_query("covid疫").terms[0]) == '"covid 疫"*'
    assert search._paired_term(search.parse_query("疫é").terms[0]) == '"疫é é"* OR "疫 é"*'
    # The same phrases as PostgreSQL's tsquery of the paired vectors.
    assert search._paired_tsquery(search.parse_query("疫苗採購").terms[0]) == (
        "('疫苗' <-> '苗採' <-> '採購')"
    )
    assert search._paired_tsquery(search.parse_query("疫é").terms[0]) == (
        "('疫é' <-> 'é':*) | ('疫' <-> 'é':*)"
    )


def test_a_paired_vector_keeps_each_pair_at_its_position():
    assert search.paired_vector(" 疫 苗 疫 苗 covid ") == "'疫苗':1,3 '苗疫':2 '苗':4 'covid':5"
    # A word too long for PostgreSQL is left out, its position kept (as to_tsvector does).
    assert search.paired_vector(f" 疫 {'a' * 2047} 苗 ") == "'疫':1 '苗':3"
    assert search.paired_vector(f" {'a' * 2046} ") == f"'{'a' * 2046}':1"  # the longest kept
    # PostgreSQL keeps a lexeme's first 256 positions.
    assert search.paired_vector(" 疫" * 300).count(",") == 255
    assert search.paired_vector("") == "" and search.paired_vector(None) == ""
    # Quotes cannot come from tokens (letters and digits), but would be escaped.
    assert search._lexeme("a'b\\c") == "'a''b\\\\c'"


def _ranked_plainly(query: str) -> list[int]:
    """The ranking read from the documents without any index (LIKE over the tokens)."""
    parsed = search.parse_query(query)
    return list(
        Commitment.objects.published()
        .filter(search.matching(parsed, "substring"))
        .alias(rank=search.relevance(parsed, "substring"))
        .order_by("rank", "-last_updated", "title", "pk")
        .values_list("pk", flat=True)
    )


def _ranked_pages(query: str, per_page: int) -> tuple[list[int], int]:
    base = Commitment.objects.published().order_by().values_list("id", "last_updated", "title")
    sql, parameters = base.query.sql_with_params()
    parsed = search.parse_query(query)
    ids: list[int] = []
    for offset in range(0, 40, per_page):
        page, total = search.ranked_page(
            parsed, (sql, list(parameters)), limit=per_page, offset=offset, unfiltered=True
        )
        ids += page
    return ids, total


@pytest.mark.django_db
@settings(max_examples=40, deadline=None)
@given(
    parts=st.lists(
        st.tuples(*[st.text(cjk, max_size=10)] * 4, st.booleans(), st.integers(0, 3)),
        min_size=1,
        max_size=6,
    ),
    query=st.lists(st.text(cjk, min_size=1, max_size=4), min_size=1, max_size=2),
    per_page=st.sampled_from([1, 2, 20]),
)
def test_the_paired_rows_rank_as_the_documents_do(parts, query, per_page):
    _needs_columns()
    text = " ".join(query)
    assume(search.parse_query(text))  # a query of punctuation alone is not searched
    Commitment.objects.all().delete()
    for number, (title, wording, reply, entry, published, day) in enumerate(parts):
        commitment = _plain(
            title=f"{title}#{number}",
            wording=wording or "無關",
            reply_text=reply or "無關",
            last_updated=dt.date(2026, 1, 1 + day),
            is_published=published,
            log=False,
        )
        if entry:
            make_log(commitment, text=entry)
    search_index_rebuild()
    expected = _ranked_plainly(text)
    assert _ranked_pages(text, per_page) == (expected, len(expected)), text


def test_a_term_asks_only_the_spellings_that_hold_no_other():
    term = search.parse_query("農委會").terms[0]
    assert "".join(term.tokens) == "農委會" and len(term.phrases) == 4
    assert ["".join(phrase) for phrase in term.searched] == ["農委會", "農業委員會"]
    # A word that ends a phrase matches as a prefix: vaccine holds vacc, not the reverse.
    assert search._holds(("covid", "vaccine"), ("vacc",))
    assert not search._holds(("vacc",), ("vaccine",))
    assert not search._holds(("疫", "苗"), ("疫", "苗", "採"))
    # Highlighting still marks the longest spelling whole.
    assert search.highlight("行政院農業委員會", search.parse_query("農委會")) == (
        "<mark>行政院農業委員會</mark>"
    )


@pytest.mark.django_db
def test_imports_refresh_the_rows_once_at_their_end(fixtures_dir, monkeypatch):
    from tracker.core.services import search_index
    from tracker.core.services.reply_import import replies_import

    _needs_columns()
    calls = []
    refresh = search_index.search_rows_refresh
    monkeypatch.setattr(
        search_index, "search_rows_refresh", lambda **kw: calls.append(refresh(**kw))
    )
    assert commitments_import_paths(paths=[fixtures_dir]).ok
    # One refresh did the work (the files' own calls were deferred), and nothing is stale.
    assert [count for count in calls if count] == [Commitment.objects.published().count()]
    assert _stale() == set()
    _assert_rows_exact()
    calls.clear()
    replies_import(paths=[fixtures_dir.parent / "replies.jsonl"])
    assert _stale() == set()
    _assert_rows_exact()
    assert len([count for count in calls if count]) <= 1
    # A dry run changes nothing, the rows included.
    before = _columns_rows()
    commitments_import_paths(paths=[fixtures_dir], dry_run=True)
    assert _columns_rows() == before and _stale() == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "query"),
    [("α β", "αβ"), ("covid α β", "covid-αβ"), ("αβ βx", "α-β"), ("αβ βγ γ", "α.β.γ"),
     ("疫 é", "疫é"), ("疫école", "疫é"), ("疫é", "疫é"), ("αβ", "αβ")],
)  # fmt: skip
@pytest.mark.parametrize("part", ["wording", "reply_text"])
def test_letters_beside_letters_are_not_taken_for_words(text, query, part):
    _needs_columns()
    _plain(title="甲", **{part: text})
    search_index_rebuild()
    expected = _ranked_plainly(query)
    assert _ranked_pages(query, 20) == (expected, len(expected))


@pytest.mark.django_db
def test_an_editors_write_refreshes_a_bounded_number_of_stale_rows(monkeypatch):
    """A killed import can leave thousands of rows stale: an editor's save must not pay for
    them all; searches stay right meanwhile, and a rebuild refreshes the rest."""
    from tracker.core.services import search_index

    _needs_columns()
    monkeypatch.setattr(search_index, "REFRESH_LIMIT", 3)
    commitments = [make_commitment(title=f"疫苗 {number}") for number in range(8)]
    search_index_rebuild()
    Commitment.objects.update(is_published=False)  # outside the services: 8 stale rows
    Commitment.objects.update(is_published=True)
    assert len(_stale()) == 8
    log_summary(commitments[0], "新的進度")  # an editor's write through a service
    assert len(_stale()) == 8 - 3
    assert _ranked_pages("疫苗", 20) == (_ranked_plainly("疫苗"), 8)
    search_index_rebuild()
    assert _stale() == set()
    _assert_rows_exact()


@pytest.mark.django_db
def test_a_phrase_in_a_shared_reply_finds_each_published_commitment_citing_it():
    """A phrase of three or more characters is looked for in the sources' replies (once per
    source on PostgreSQL): every published commitment citing the reply is found, a
    withdrawn one is not, and a reply holding the phrase's pairs apart is no match."""
    _needs_columns()
    shared = make_source(subject="函", reply_text="本部將擴充社會住宅，逐年檢討。")
    citing = [make_commitment(title=f"引用{n}", wording="無關", source=shared) for n in "甲乙"]
    make_commitment(title="撤下", wording="無關", source=shared, is_published=False)
    own = _plain(title="自有", wording="興建社會住宅")
    _plain(title="拆開", reply_text="社會 會住 住宅")  # every pair of 社會住宅, not the phrase
    _plain(title="標點", reply_text="社會、住宅")  # punctuation between is ignored: a match
    search_index_rebuild()
    expected = _ranked_plainly("社會住宅")
    titles = dict(Commitment.objects.values_list("pk", "title"))
    assert {titles[pk] for pk in expected} == {"引用甲", "引用乙", "自有", "標點"}
    assert expected[0] == own.pk and {c.pk for c in citing} <= set(expected)
    for per_page in (1, 20):
        assert _ranked_pages("社會住宅", per_page) == (expected, 4)
    # With a two-character term beside it (the columns and the replies intersected).
    assert _ranked_pages("社會住宅 逐年", 20) == (_ranked_plainly("社會住宅 逐年"), 2)


@pytest.mark.django_db
def test_an_agency_term_finds_its_short_and_long_spellings_in_replies():
    """臺電 is one pair, 台灣電力公司 a phrase: a term with both finds replies holding either
    (the pair needs no check, the phrase is checked), and nothing else."""
    _needs_columns()
    replies = [
        "臺電將加強",
        "台灣電力公司將加強",
        "台灣電力 公司",
        "台灣電力將加強",
        "電台",
        "無關",
    ]
    for number, reply in enumerate(replies):
        _plain(title=f"題{number}", reply_text=reply)
    search_index_rebuild()
    expected = _ranked_plainly("台電")
    assert len(expected) == 3
    assert _ranked_pages("台電", 2) == (expected, 3)
    assert _ranked_pages("臺電 加強", 20) == (_ranked_plainly("臺電 加強"), 2)


@pytest.mark.django_db
def test_a_rebuild_drops_rows_no_trigger_saw_go():
    """A row whose commitment is gone without its triggers firing (written around them)
    would be counted by every search; rebuild_search_index repairs it."""
    _needs_columns()
    kept = make_commitment(title="疫苗甲")
    search_index_rebuild()
    value = "'疫苗'" if connection.vendor == "postgresql" else "疫苗"
    key = "rowid" if connection.vendor == "sqlite" else "commitment_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {search.COLUMNS_TABLE}({key}, {', '.join(search.COLUMNS)}) "  # noqa: S608
            f"VALUES (%s, %s, %s, %s, %s)",
            [kept.pk + 1000, value, value, value, value],
        )
    assert kept.pk + 1000 in _columns_rows()
    # Searches answer (counted from the rows, read from the list) without failing.
    assert _ranked_pages("疫苗", 20)[0] == [kept.pk]
    search_index_rebuild()
    assert _ranked_pages("疫苗", 20) == ([kept.pk], 1)
    _assert_rows_exact()


@pytest.mark.django_db
def test_a_truncate_leaves_no_row_behind_on_postgresql():
    """TRUNCATE fires no row trigger (Django's flush truncates every model's table): the
    rows of the commitments gone go too, and a truncated index of documents makes every
    row stale, so searches read the documents until a rebuild."""
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    _needs_columns()
    make_commitment(title="疫苗甲")
    search_index_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check left pending
        cursor.execute("TRUNCATE tracker_searchdocument")
    assert _stale() == set(Commitment.objects.published().values_list("pk", flat=True))
    assert _ranked_pages("疫苗", 20) == ([], 0)  # the documents', not the stale rows'
    search_index_rebuild()
    assert _ranked_pages("疫苗", 20)[1] == 1
    Commitment.objects.update(is_published=False)  # marks every commitment stale
    assert _stale()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE tracker_commitment CASCADE")
    assert _columns_rows() == {} and _stale() == set()


@pytest.mark.django_db
def test_rows_gone_stale_between_two_counts_make_the_documents_answer(monkeypatch):
    """On PostgreSQL a ranked page's statements can each see a later commit: if a count after
    the first finds rows stale, the page is read from the documents instead of failing."""
    _needs_columns()
    for _ in range(3):
        _plain(title="甲", wording="疫苗")
    _plain(title="疫苗乙")
    search_index_rebuild()
    first_count = search._tier_counts

    def stale_after_the_first(query, tiers, base, unfiltered):
        return first_count(query, tiers, base, unfiltered) if len(tiers) > 1 else None

    monkeypatch.setattr(search, "_tier_counts", stale_after_the_first)
    expected = _ranked_plainly("疫苗")
    assert _ranked_pages("疫苗", 1) == (expected, 4)  # page 2 starts in the second tier


@pytest.mark.django_db(transaction=True)
def test_a_ranked_page_outside_any_transaction_reads_one_snapshot():
    """A request is no transaction of its own: the ranked page opens one (on PostgreSQL at
    REPEATABLE READ, so that its statements agree), and leaves none open."""
    _needs_columns()
    _plain(title="疫苗甲")
    _plain(title="乙", wording="疫苗")
    search_index_rebuild()
    assert not connection.in_atomic_block
    expected = _ranked_plainly("疫苗")
    assert _ranked_pages("疫苗", 1) == (expected, 2)
    assert not connection.in_atomic_block
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the next transaction is at the default again
            cursor.execute("SHOW transaction_isolation")
            assert cursor.fetchone()[0] == "read committed"
