"""Full-text search that works for Chinese on SQLite and PostgreSQL.

Neither database finds two-character Chinese words out of the box: SQLite's FTS5 trigram
tokenizer needs three characters, and PostgreSQL's ``simple`` configuration reads a run of
Chinese as one token. So the searchable text of each commitment and each source reply is
kept in :class:`~tracker.core.models.SearchDocument` as *tokens*: every CJK character on its own,
every run of letters or digits as one word, all separated by single spaces, after NFKC
normalisation and case folding (``疫苗採購 COVID-19`` → ``疫 苗 採 購 covid 19``).

A query term becomes a *phrase* of the same tokens, which each database answers from its
own full-text index (SQLite: an FTS5 table kept in step by triggers; PostgreSQL: a GIN
index on ``to_tsvector('simple', tokens)`` queried with ``<->``). PostgreSQL re-reads each
candidate's stored vector to check a phrase's positions (for 疫苗 at 100× the corpus, 18,200
documents, most of a search's time), so it also keeps the pairs of neighbouring CJK tokens
as words (``pairs_tsv``: 疫苗 苗採 採購): a two-character term, the commonest kind, is then
one word that the index answers alone. The substring fallback
(`` 疫 苗 `` inside the padded tokens) gives exactly the same answers without an index and
is used for other databases and when the index is missing.

Matching rules (the README repeats them): Chinese matches any run of characters; words and
numbers match whole, except the last word of a term, which matches as a prefix
(``vacc`` finds ``vaccine``); punctuation and spaces between characters are ignored
(``疫苗`` also finds ``疫、苗``). Several terms separated by spaces must all match, each
anywhere in the commitment, its timeline or its source reply.

What people type is folded before it is compared: the character variants of
:mod:`tracker.core.variants` (台北 and 臺北 are one query), in the documents and the query
alike; and a term that is a known agency's name (:mod:`tracker.core.agencies`) matches any
of its group's spellings (衛福部 finds 衛生福利部), while the document of a commitment lists
every spelling of its agency's group.

Each commitment has up to three documents, one per *part* (title; wording and agency;
timeline) and its reply has one, so results can be ranked by where they matched: title,
then wording, then reply, then timeline (:func:`relevance`).

A document's id is its *key* (:func:`document_key`): its owner's id (the commitment's, or the
source's for a reply) shifted left by two bits, plus its part. So the ids the index returns
say whose documents matched and where, and a search never reads the documents themselves
(at 100× the corpus, fetching 18,200 matched documents' owners was most of a search's time).

A ranked page of search results (:func:`ranked_page`) reads a second index instead: one row
per published commitment, a column per part, its source's reply copied in, the tokens paired
(:func:`paired`), so that matches are counted by one query and ranked by column filters
(SQLite: an FTS5 table; PostgreSQL: a tsvector per column, each with a GIN index, where a
two-character term is one lexeme). Its rows are refreshed by the search-index services;
while any is stale, :func:`ranked_page_sql` answers from the documents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise

from django.db import OperationalError, connection, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tracker.core.agencies import agency_spellings
from tracker.core.variants import fold_variants

MAX_TERMS = 8
MAX_QUERY_CHARS = 200
FTS_TABLE = "tracker_searchdocument_fts"

# The parts of a commitment a document holds, in ranking order (SearchDocument.part).
TITLE, OWN, REPLY, TIMELINE = 0, 1, 2, 3
# A document's key: owner id << KEY_BITS | part (a commitment's parts, or a source's REPLY).
KEY_BITS = 2
PART_MASK = (1 << KEY_BITS) - 1


def document_key(owner_id: int, part: int) -> int:
    """Return the id of the document of an owner's part (a source's reply: part REPLY)."""
    return (owner_id << KEY_BITS) | part


# Full-width spaces, punctuation, letters and digits (，（）：Ａ１), most of what NFKC changes
# in these texts: replaced by their NFKC forms first, a text holding nothing else NFKC
# would change passes NFKC's quick check and is not rewritten character by character
# (the result is the same: each has the compatibility decomposition of its replacement).
_FULL_WIDTH = re.compile("[\u3000\uff01-\uff5e]")
_FULL_WIDTH_NFKC = {
    chr(code): unicodedata.normalize("NFKC", chr(code)) for code in (0x3000, *range(0xFF01, 0xFF5F))
}


def normalise(text: str) -> str:
    """Return text as the index sees it: NFKC (full-width → ASCII), case and variants folded."""
    text = _FULL_WIDTH.sub(lambda match: _FULL_WIDTH_NFKC[match.group()], text)
    return fold_variants(unicodedata.normalize("NFKC", text).casefold())


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _ideograph_ranges() -> str:
    """Return a character class of the CJK ideographs (the bulk of these texts) that are
    wide letters, as this Python's Unicode tables say."""
    ranges = []
    for first, last in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF)):
        start = None
        for code in range(first, last + 2):
            char = chr(code)
            if code <= last and char.isalnum() and _is_wide(char):
                start = code if start is None else start
            elif start is not None:
                ranges.append(f"\\u{start:04x}-\\u{code - 1:04x}")
                start = None
    return "".join(ranges)


# A text's pieces: one common ideograph, or a run of other letters and digits.
_IDEOGRAPHS = _ideograph_ranges()
_PIECE = re.compile(f"[{_IDEOGRAPHS}]|[^\\W_{_IDEOGRAPHS}]+")


def tokens_of(text: str) -> list[str]:
    """Return the index tokens of a text: each CJK character alone, other words whole."""
    tokens: list[str] = []
    for piece in _PIECE.findall(normalise(text)):
        # One character is one token, wide or not; an ASCII run is one word.
        if len(piece) == 1 or piece.isascii():
            tokens.append(piece)
        else:
            tokens += _split_wide(piece)
    return tokens


def _split_wide(run: str) -> list[str]:
    """Split a run of letters and digits: each wide character alone, the rest as words."""
    tokens: list[str] = []
    word: list[str] = []
    for char in run:
        if _is_wide(char):
            if word:
                tokens.append("".join(word))
                word = []
            tokens.append(char)
        else:
            word.append(char)
    if word:
        tokens.append("".join(word))
    return tokens


def document_tokens(parts: Iterable[str | None]) -> str:
    """Return the stored token string of several texts: space-separated, padded with spaces."""
    tokens = [token for part in parts if part for token in tokens_of(part)]
    return f" {' '.join(tokens)} " if tokens else ""


def _prefix(tokens: tuple[str, ...]) -> bool:
    return not _is_wide(tokens[-1][0])


# PostgreSQL's two vectors (migrations 0003 and 0022).
TOKENS_VECTOR, PAIRS_VECTOR = "tokens_tsv", "pairs_tsv"


def _single(token: str) -> bool:
    """Whether a token is one non-ASCII character: what pairs_tsv pairs (its SQL function,
    ``tracker_cjk_pairs``, says the same: length 1, code point above 127)."""
    return len(token) == 1 and not token.isascii()


def _pairable(phrase: tuple[str, ...]) -> bool:
    # Not when the last token is a prefix (a lone é, α, д: 疫é also finds 疫école).
    return len(phrase) == 2 and all(map(_single, phrase)) and not _prefix(phrase)


def _holds(phrase: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """Whether every text PHRASE matches is matched by OTHER: OTHER's tokens run in PHRASE
    (a word that ends OTHER matches as a prefix, so PHRASE may go on where it stops)."""
    width = len(other)
    for start in range(len(phrase) - width + 1):
        window = phrase[start : start + width]
        if window[:-1] == other[:-1] and (
            window[-1] == other[-1] or (_prefix(other) and window[-1].startswith(other[-1]))
        ):
            return True
    return False


def _lexeme(token: str) -> str:
    """Return a token quoted as a lexeme of PostgreSQL's tsvector and tsquery text forms
    (tokens hold only letters and digits; a quote or backslash would be escaped)."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _tokens_tsquery(phrase: tuple[str, ...]) -> str:
    """Return a phrase as a tsquery of ``tokens_tsv`` (its tokens' positions)."""
    parts = [_lexeme(token) for token in phrase]
    if _prefix(phrase):
        parts[-1] += ":*"
    return " <-> ".join(parts)


@dataclass(frozen=True)
class Term:
    """One space-separated part of a query, as a phrase of index tokens.

    ``alternatives``: other phrases that match as the term does (an agency's other names).
    """

    text: str
    tokens: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()

    @property
    def phrases(self) -> tuple[tuple[str, ...], ...]:
        return (self.tokens, *self.alternatives)

    @property
    def searched(self) -> tuple[tuple[str, ...], ...]:
        """Return the phrases an index is asked: each that holds none of the others.

        A text holding 行政院農業委員會 holds 農業委員會, so asking both finds nothing more, and
        each phrase asked costs the index a pass (農委會's four spellings: 57 ms at 100× the
        corpus; the two that hold no other: 12 ms). Highlighting keeps every phrase, so
        that the longest spelling is marked whole."""
        return tuple(
            phrase
            for phrase in self.phrases
            if not any(other != phrase and _holds(phrase, other) for other in self.phrases)
        )

    @property
    def prefix(self) -> bool:
        """Whether the last token matches as a prefix (a word, not a CJK character)."""
        return _prefix(self.tokens)

    def fts5(self) -> str:
        # Tokens hold only letters and digits, so no quote can end the string early.
        return " OR ".join(
            '"' + " ".join(phrase) + '"' + ("*" if _prefix(phrase) else "")
            for phrase in self.searched
        )

    def tsqueries(self) -> list[tuple[str | None, str | None]]:
        """Return the PostgreSQL queries of this term, one per phrase: (the phrase of tokens
        for ``tokens_tsv``, or the one word of ``pairs_tsv`` that says it all).

        A phrase of two CJK characters is one pair, which the index answers alone; any
        other phrase is its tokens' (the last a prefix if it is a word). A longer CJK
        phrase is not asked of its pairs too: its tokens' phrase must be checked anyway,
        and with an agency's other spellings PostgreSQL then checked it twice per row."""
        queries = []
        for phrase in self.searched:
            if _pairable(phrase):
                queries.append((None, "".join(phrase)))
                continue
            queries.append((_tokens_tsquery(phrase), None))
        return queries

    def substrings(self) -> list[str]:
        return [
            " " + " ".join(phrase) + ("" if _prefix(phrase) else " ") for phrase in self.searched
        ]


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse_query(text: str | None) -> Query:
    """Split a reader's query into terms; terms without letters or digits are dropped."""
    text = (text or "").strip()[:MAX_QUERY_CHARS]
    terms: list[Term] = []
    for part in text.split():
        tokens = tuple(tokens_of(part))
        if tokens and all(term.tokens != tokens for term in terms):
            terms.append(Term(text=part, tokens=tokens, alternatives=_other_names(part, tokens)))
    return Query(text=text, terms=tuple(terms[:MAX_TERMS]))


def _other_names(part: str, tokens: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Return the token phrases of an agency's other spellings, if the term names one."""
    alternatives: list[tuple[str, ...]] = []
    for spelling in agency_spellings(part):
        phrase = tuple(tokens_of(spelling))
        if phrase and phrase != tokens and phrase not in alternatives:
            alternatives.append(phrase)
    return tuple(alternatives)


# Database side ---------------------------------------------------------------------------


def _sqlite_table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [name])
        return cursor.fetchone() is not None


@cache
def _fts_table_exists(alias: str) -> bool:
    return _sqlite_table_exists(FTS_TABLE)


def index_kind() -> str:
    """Return how this database answers searches: 'fts5', 'tsvector' or 'substring'."""
    if connection.vendor == "postgresql":
        return "tsvector"
    if connection.vendor == "sqlite" and _fts_table_exists(connection.alias):
        return "fts5"
    return "substring"


def _document_keys(term: Term, kind: str) -> tuple[str, list[str]]:
    """Return SQL selecting the keys (``doc``) of the documents that match a term, and its
    parameters. On SQLite the FTS5 table answers alone: its rowids are the keys."""
    if kind == "fts5":
        sql = f"SELECT rowid AS doc FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
        return sql, [term.fts5()]
    if kind == "substring":
        # Without an index (SQLite lacking FTS5): LIKE over the token text, as __contains.
        patterns = [
            "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            for text in term.substrings()
        ]
        condition = " OR ".join(["tokens LIKE %s ESCAPE '\\'"] * len(patterns))
        sql = f"SELECT id AS doc FROM tracker_searchdocument WHERE {condition}"  # noqa: S608
        return sql, patterns
    conditions, parameters = [], []
    for tokens, pair in term.tsqueries():
        if pair is None:
            conditions.append(f"{TOKENS_VECTOR} @@ to_tsquery('simple'::regconfig, %s)")
            parameters.append(tokens)
        else:  # the pair as it is stored: no parser, no normalisation
            conditions.append(f"{PAIRS_VECTOR} @@ %s::tsquery")
            parameters.append(_lexeme(pair))
    condition = " OR ".join(conditions)
    sql = f"SELECT id AS doc FROM tracker_searchdocument WHERE {condition}"  # noqa: S608
    return sql, parameters


# Owner and part of a document key, in SQL (both databases have the bitwise operators).
_OWNER = f"(doc >> {KEY_BITS})"
_PART = f"(doc & {PART_MASK})"


def _owner_ids(keys: str, *, last_part: int = TIMELINE) -> str:
    """Return SQL selecting the commitments owning the keys' documents up to a part."""
    return (
        f"SELECT {_OWNER} FROM ({keys}) matched "  # noqa: S608
        f"WHERE {_PART} <> {REPLY} AND {_PART} <= {last_part}"
    )


def _reply_owner_ids(keys: str) -> str:
    """Return SQL selecting the commitments whose source's reply document is among the keys."""
    return (
        "SELECT id FROM tracker_commitment WHERE source_id IN "  # noqa: S608
        f"(SELECT {_OWNER} FROM ({keys}) matched WHERE {_PART} = {REPLY})"
    )


def _matching_ids(term: Term, kind: str):
    """Return a filter for the commitments matching a term in their own text or reply.

    One UNION of two index lookups, so the database visits only matching commitments
    (an OR of two IN conditions makes SQLite scan every commitment).
    """
    keys, parameters = _document_keys(term, kind)
    return Q(
        pk__in=RawSQL(  # noqa: S611 - fixed SQL; the term is a parameter
            f"{_owner_ids(keys)} UNION {_reply_owner_ids(keys)}", [*parameters, *parameters]
        )
    )


def matching(query: Query, kind: str | None = None) -> Q:
    """Return a filter for commitments whose own text or whose source reply matches every term."""
    kind = kind or index_kind()
    condition = Q()
    for term in query.terms:
        condition &= _matching_ids(term, kind)
    return condition


def _own_ids(term: Term, kind: str, last_part: int) -> RawSQL:
    """Return a subquery of the commitments whose documents up to a part match a term."""
    keys, parameters = _document_keys(term, kind)
    return RawSQL(_owner_ids(keys, last_part=last_part), parameters)  # noqa: S611 - fixed SQL


def _reply_ids(term: Term, kind: str) -> RawSQL:
    """Return a subquery of the commitments whose source reply matches a term."""
    keys, parameters = _document_keys(term, kind)
    return RawSQL(_reply_owner_ids(keys), parameters)  # noqa: S611 - fixed SQL


def _term_rank(term: Term, kind: str) -> Case:
    # Each IN list is one index lookup, built once per query, not once per row (checking
    # each matched commitment's documents as text instead measured slower on SQLite).
    return Case(
        When(pk__in=_own_ids(term, kind, TITLE), then=Value(TITLE)),
        When(pk__in=_own_ids(term, kind, OWN), then=Value(OWN)),
        When(pk__in=_reply_ids(term, kind), then=Value(REPLY)),
        default=Value(TIMELINE),
        output_field=IntegerField(),
    )


def relevance(query: Query, kind: str | None = None):
    """Return where a matching commitment matched, as a number to sort by (lower first).

    Per term, the first part that holds it: title 0, wording or agency 1, the reply 2, the
    timeline 3; a commitment ranks by its worst term (both terms in the title: 0).
    """
    kind = kind or index_kind()
    ranks = [_term_rank(term, kind) for term in query.terms]
    if not ranks:
        return Value(TITLE, output_field=IntegerField())
    return ranks[0] if len(ranks) == 1 else Greatest(*ranks, output_field=IntegerField())


def ranked_page_sql(
    query: Query,
    base: tuple[str, list],
    *,
    limit: int | None,
    offset: int = 0,
    kind: str | None = None,
) -> tuple[str, list]:
    """Return SQL for one page of the commitments of BASE that match QUERY, ranked, and params.

    BASE is the SQL of a query selecting ``id``, ``last_updated`` and ``title`` of the
    commitments the other filters keep (``QuerySet.values_list(...).query.sql_with_params()``).
    The rows are ``(id, total)`` in the order :func:`relevance` and the list's default order
    give (part, latest update, title, id), ``total`` being the number of all matches (one
    query both counts and ranks: a window count on PostgreSQL, a scalar count over the
    materialised matches on SQLite). With LIMIT None: ``SELECT COUNT(*)`` alone.

    Each term's matching keys are found once (one index lookup, kept as a materialised CTE),
    and its rank per commitment is the lowest part that holds it (a reply counts as REPLY for
    every commitment of its source), read off the keys without visiting the documents.
    """
    kind = kind or index_kind()
    ctes: list[str] = []
    parameters: list = []
    for number, term in enumerate(query.terms):
        keys, term_parameters = _document_keys(term, kind)
        ctes.append(f"docs{number} AS MATERIALIZED ({keys})")
        ctes.append(
            f"rank{number} AS (SELECT cid, MIN(part) AS part FROM ("  # noqa: S608
            f"SELECT {_OWNER} AS cid, {_PART} AS part FROM docs{number} "
            f"WHERE {_PART} <> {REPLY} "
            f"UNION ALL SELECT id AS cid, {REPLY} AS part FROM tracker_commitment "
            f"WHERE source_id IN (SELECT {_OWNER} FROM docs{number} "
            f"WHERE {_PART} = {REPLY})) hits GROUP BY cid)"
        )
        parameters.extend(term_parameters)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    ranks = [f"rank{number}.part" for number in range(len(query.terms))]
    joins = "".join(
        f" JOIN rank{number} ON rank{number}.cid = rank0.cid"
        for number in range(1, len(query.terms))
    )
    part = ranks[0] if len(ranks) == 1 else f"{greatest}({', '.join(ranks)})"
    ctes.append(f"ranked AS (SELECT rank0.cid AS cid, {part} AS part FROM rank0{joins})")  # noqa: S608
    base_sql, base_parameters = base
    matches = f"FROM ({base_sql}) base JOIN ranked ON ranked.cid = base.id"
    with_clause = "WITH " + ", ".join(ctes)
    if limit is None:
        return f"{with_clause} SELECT COUNT(*) {matches}", [*parameters, *base_parameters]
    if connection.vendor == "sqlite":
        # The matches kept once, counted by a scalar subquery and sorted with the LIMIT: a
        # window count made SQLite buffer and sort every match in full (疫苗 at 100×, 19,500:
        # 149 -> 103 ms). PostgreSQL measured no faster this way and keeps the window.
        return (
            f"{with_clause}, matches AS MATERIALIZED (SELECT base.id AS id, "  # noqa: S608
            f"base.last_updated AS last_updated, base.title AS title, ranked.part AS part "
            f"{matches}) SELECT id, (SELECT COUNT(*) FROM matches) FROM matches "
            "ORDER BY part, last_updated DESC, title, id LIMIT %s OFFSET %s",
            [*parameters, *base_parameters, limit, offset],
        )
    return (
        f"{with_clause} SELECT base.id, COUNT(*) OVER () {matches} "
        "ORDER BY ranked.part, base.last_updated DESC, base.title, base.id LIMIT %s OFFSET %s",
        [*parameters, *base_parameters, limit, offset],
    )


# One row per commitment ---------------------------------------------------------------------

# One row per published commitment, a column per part in ranking order (its source's reply
# copied in): an FTS5 table on SQLite (migration 0024), tsvector columns each with a GIN
# index on PostgreSQL (0025); and the commitments whose rows went stale since the last
# refresh. Used while no row is stale; otherwise the documents' own index answers.
COLUMNS_TABLE = "tracker_commitment_search"
STALE_TABLE = "tracker_commitment_search_stale"
COLUMNS = ("title", "own", "reply", "timeline")  # by part: TITLE, OWN, REPLY, TIMELINE


def _joins(token: str, after: str) -> bool:
    """Whether the one-row index pairs two neighbouring tokens: single characters (what
    :func:`_single` says), one of them wide. Two narrow letters are not paired: α β paired
    would be spelt as the word αβ, and the index could not tell them apart (a wide
    character is always a token of its own, so no word holds one)."""
    return _single(token) and _single(after) and (_is_wide(token) or _is_wide(after))


def _paired_tokens(tokens: list[str] | tuple[str, ...]) -> list[str]:
    """Return tokens with each that :func:`_joins` its follower joined to it:
    疫 苗 採 購 → 疫苗 苗採 採購 購, one token per position."""
    following = [*tokens[1:], ""]
    return [
        token + after if _joins(token, after) else token
        for token, after in zip(tokens, following, strict=True)
    ]


def paired(tokens: str | None) -> str | None:
    """Return a document's stored tokens as the one-row index keeps them (paired).

    A common character's list of places is long (行 and 政 are in every reply), so a
    phrase of single characters made FTS5 read long lists; a pair's is short, and a
    two-character term is one pair that the index answers alone."""
    if not tokens:
        return tokens
    return " ".join(_paired_tokens(tokens.split()))


def _paired_alternatives(phrase: tuple[str, ...]) -> list[tuple[list[str], bool]]:
    """Return the phrases of the paired index that match as PHRASE matches the tokens, each
    as (its paired tokens, whether the last is a prefix).

    The last token decides: a character after a character is already in the last pair; a
    lone character or word is a prefix (a character may be followed by one in the text,
    making it a pair there); a lone letter like é after a character is either (疫é is
    a pair in 疫 é, not in 疫 école)."""
    body = _paired_tokens(phrase)[:-1]
    last = phrase[-1]
    if len(phrase) > 1 and _joins(phrase[-2], last):
        if _is_wide(last):
            return [(body, False)]
        return [([*body, last], True), ([*body[:-1], phrase[-2], last], True)]
    return [([*body, last], _single(last) or _prefix(phrase))]


def _paired_term(term: Term) -> str:
    """Return a term as an FTS5 expression of the paired index (SQLite)."""
    return " OR ".join(
        '"' + " ".join(tokens) + '"' + ("*" if prefix else "")
        for phrase in term.searched
        for tokens, prefix in _paired_alternatives(phrase)
    )


def _paired_tsquery(term: Term) -> str:
    """Return a term as a tsquery of the paired vectors (PostgreSQL): the same phrases as
    :func:`_paired_term`, a two-character term one lexeme that GIN answers alone."""
    alternatives = []
    for phrase in term.searched:
        for tokens, prefix in _paired_alternatives(phrase):
            lexemes = [_lexeme(token) for token in tokens]
            lexemes[-1] += ":*" if prefix else ""
            alternatives.append("(" + " <-> ".join(lexemes) + ")")
    return " | ".join(alternatives)


# PostgreSQL's limits on a tsvector: a lexeme's bytes (a longer one is an error) and the
# positions it keeps per lexeme (the first ones). Positions above 16383 are stored as 16383,
# so a phrase past that token of a document is not found on PostgreSQL (the corpus's
# longest document has 7,604 tokens).
MAX_LEXEME_BYTES = 2046
MAX_POSITIONS = 256


def paired_vector(tokens: str | None) -> str:
    """Return a document's tokens as the one-row index keeps them on PostgreSQL: the text
    form of a tsvector of its paired tokens (:func:`paired`) at their positions, counted
    from 1, so that a phrase of pairs is checked by positions, as FTS5 checks it (within
    the limits above). Built here, not by PostgreSQL's parser, which would split a run of
    letters its own way. A lexeme too long for PostgreSQL is left out and its position
    kept, so that no phrase matches across it (to_tsvector drops the position too)."""
    if not tokens:
        return ""
    places: dict[str, list[str]] = {}
    for position, token in enumerate(_paired_tokens(tokens.split()), start=1):
        if len(token.encode()) <= MAX_LEXEME_BYTES:
            kept = places.setdefault(token, [])
            if len(kept) < MAX_POSITIONS:
                kept.append(str(position))
    return " ".join(f"{_lexeme(token)}:{','.join(kept)}" for token, kept in places.items())


# A commitment's row: its documents' tokens by part (the reply's owner is its source). The
# tables' names are constants, not input.
_ROW_VALUES = ", ".join(
    f"(SELECT tokens FROM tracker_searchdocument WHERE id = "  # noqa: S608
    f"(c.{'source_id' if part == REPLY else 'id'} << {KEY_BITS}) | {part})"
    for part in (TITLE, OWN, REPLY, TIMELINE)
)
ROWS_STALE_SQL = f"SELECT commitment_id FROM {STALE_TABLE} ORDER BY commitment_id LIMIT %s"  # noqa: S608
ROWS_SQL = (
    f"SELECT c.id, {_ROW_VALUES} FROM tracker_commitment c "  # noqa: S608
    "WHERE c.is_published AND c.id IN ({ids})"
)


def _row_key() -> str:
    return "rowid" if connection.vendor == "sqlite" else "commitment_id"


def rows_delete_sql(marks: str) -> str:
    """Return SQL deleting the rows of the commitments whose ids fill MARKS (placeholders)."""
    return f"DELETE FROM {COLUMNS_TABLE} WHERE {_row_key()} IN ({marks})"  # noqa: S608


def rows_insert_sql() -> str:
    """Return SQL inserting one row: the commitment's id, then its columns (row_converter's)."""
    cast = "" if connection.vendor == "sqlite" else "::tsvector"
    values = ", ".join(["%s", *[f"%s{cast}"] * len(COLUMNS)])
    return (
        f"INSERT INTO {COLUMNS_TABLE}({_row_key()}, {', '.join(COLUMNS)}) "  # noqa: S608
        f"VALUES ({values})"
    )


def row_converter():
    """Return the function making a row's column of a document's tokens: the paired text
    (SQLite's FTS5) or a tsvector's text (PostgreSQL)."""
    return paired if connection.vendor == "sqlite" else paired_vector


ROWS_UNSTALE_SQL = f"DELETE FROM {STALE_TABLE} WHERE commitment_id IN ({{ids}})"  # noqa: S608


def rows_orphans_sql() -> str:
    """Return SQL deleting the rows of commitments no longer published (or gone). Triggers
    mark those stale, so a refresh drops them; this is for a rebuild, which repairs what
    no trigger saw (a table rebuilt without its triggers, rows written around them)."""
    key = _row_key()
    return (
        f"DELETE FROM {COLUMNS_TABLE} WHERE {key} NOT IN "  # noqa: S608
        "(SELECT id FROM tracker_commitment WHERE is_published)"
    )


def columns_table_exists() -> bool:
    """Whether this database has the one-row index (SQLite with FTS5, migration 0024;
    PostgreSQL, migration 0025).

    Asked each time, not cached: a test or a migration may add or drop it."""
    if connection.vendor == "postgresql":
        return bool(_fetch("SELECT to_regclass(%s) IS NOT NULL", [COLUMNS_TABLE])[0][0])
    return connection.vendor == "sqlite" and _sqlite_table_exists(COLUMNS_TABLE)


# The tiers of the ranking: every term in the title; in the title or wording; in those or
# the reply; anywhere (None). A commitment's rank is the first tier holding it.
_TIERS = (TITLE, OWN, REPLY, None)


def _columns_match(query: Query, last_part: int | None) -> str:
    """Return the FTS5 expression of every term in the columns up to a part (None: any)."""
    if last_part is None:
        return " AND ".join(f"({_paired_term(term)})" for term in query.terms)
    columns = " ".join(COLUMNS[: last_part + 1])
    return " AND ".join(f"{{{columns}}} : ({_paired_term(term)})" for term in query.terms)


def _pairs_filter(phrases: Iterable[tuple[str, ...]]) -> str | None:
    """Return a tsquery of ``pairs_tsv`` (a document's neighbouring single characters, no
    positions) that every document holding one of PHRASES matches: per phrase, all its
    pairs. None when a phrase has no pair (a word): then nothing narrows the phrase check."""
    alternatives = []
    for phrase in phrases:
        pairs = _stored_pairs(phrase)
        if not pairs:
            return None
        alternatives.append("(" + " & ".join(map(_lexeme, pairs)) + ")")
    return " | ".join(alternatives)


def _stored_pairs(phrase: tuple[str, ...]) -> list[str]:
    """Return the pairs ``pairs_tsv`` holds for every text holding PHRASE: its neighbouring
    single non-ASCII tokens joined (``tracker_cjk_pairs``'s rule, which is :func:`_single`),
    but not the last two when the last token is a prefix (疫é also finds 疫école, whose
    document holds no pair 疫é)."""
    pairs = [a + b for a, b in pairwise(phrase) if _single(a) and _single(b)]
    if pairs and _prefix(phrase) and _single(phrase[-2]) and _single(phrase[-1]):
        pairs.pop()
    return pairs


_REPLY_DOCUMENTS = "SELECT id AS doc FROM tracker_searchdocument WHERE "


def _replies_holding(term: Term) -> tuple[str, list]:
    """PostgreSQL: return SQL selecting the published commitments whose source's reply holds
    a term that is a phrase of pairs, and its parameters.

    The copied reply column would check the phrase once per commitment, reading each
    one's reply vector (about 14 µs each; 衛福部 at 100× the corpus: 41,200 of them); a
    reply's document is checked once per source instead, among the replies holding all of
    the phrase's pairs (``pairs_tsv``, which GIN answers alone), by the phrase of its
    tokens. ``ts_match_vq`` is ``@@`` in a form no index answers: asking the tokens' index
    too would add every document holding the characters, parts other than replies
    included, to the ones checked. A two-character spelling of the term (臺電 beside
    台灣電力公司) is its pair, which needs no check."""
    pairs = [phrase for phrase in term.searched if _pairable(phrase)]
    longer = [phrase for phrase in term.searched if not _pairable(phrase)]
    narrowed = _pairs_filter(longer)
    if narrowed is None:
        keys, parameters = _document_keys(term, "tsvector")
    else:
        phrases = " | ".join(f"({_tokens_tsquery(phrase)})" for phrase in longer)
        keys = (
            f"{_REPLY_DOCUMENTS} {PAIRS_VECTOR} @@ %s::tsquery "
            f"AND CASE WHEN (id & {PART_MASK}) = {REPLY} "  # replies first: a CASE keeps the order
            f"THEN ts_match_vq({TOKENS_VECTOR}, to_tsquery('simple'::regconfig, %s)) END"
        )
        parameters = [narrowed, phrases]
        if pairs:
            keys = f"{_REPLY_DOCUMENTS} {PAIRS_VECTOR} @@ %s::tsquery UNION {keys}"
            parameters = [" | ".join(_lexeme("".join(phrase)) for phrase in pairs), *parameters]
    sql = (
        "SELECT id FROM tracker_commitment WHERE is_published AND source_id IN "  # noqa: S608
        f"(SELECT {_OWNER} FROM ({keys}) matched WHERE {_PART} = {REPLY})"
    )
    return sql, parameters


def _matched(query: Query, last_part: int | None) -> tuple[str, list]:
    """Return SQL selecting the ids of the commitments holding every term in their columns
    up to a part (None: any), and its parameters. SQLite: one FTS5 query. PostgreSQL: each
    term in any of the columns (a GIN index each; a two-character term is one lexeme,
    answered without reading the rows); a term that is a phrase of pairs is looked for in
    the sources' replies (:func:`_replies_holding`), the rest in the columns."""
    if connection.vendor == "sqlite":
        sql = f"SELECT rowid FROM {COLUMNS_TABLE} WHERE {COLUMNS_TABLE} MATCH %s"  # noqa: S608
        return sql, [_columns_match(query, last_part)]
    columns = COLUMNS if last_part is None else COLUMNS[: last_part + 1]

    def any_of(asked) -> str:
        return " OR ".join(f"{column} @@ %s::tsquery" for column in asked)

    conditions, parameters = [], []
    phrases: list[tuple[str, list]] = []  # the sets of the phrase terms that reach the reply
    for term in query.terms:
        tsquery = _paired_tsquery(term)
        asked = columns
        if "reply" in columns and "<->" in tsquery:
            asked = [column for column in columns if column != "reply"]
            own = any_of(asked)
            replies, reply_parameters = _replies_holding(term)
            phrases.append(
                (
                    f"SELECT commitment_id FROM {COLUMNS_TABLE} WHERE {own} UNION {replies}",  # noqa: S608
                    [*[tsquery] * len(asked), *reply_parameters],
                )
            )
            continue
        conditions.append(f"({any_of(asked)})")
        parameters += [tsquery] * len(asked)
    sets = []
    if conditions:
        where = " AND ".join(conditions)
        sets.append((f"SELECT commitment_id FROM {COLUMNS_TABLE} WHERE {where}", parameters))  # noqa: S608
    sets += phrases
    if len(sets) == 1:
        return sets[0]
    sql = " INTERSECT ".join(f"({set_sql})" for set_sql, _ in sets)
    return sql, [parameter for _, set_parameters in sets for parameter in set_parameters]


def _fetch(sql: str, parameters: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall()


def _tier_counts(query: Query, tiers: list[int], base, unfiltered: bool) -> list[int] | None:
    """Return how many commitments of BASE each tier holds (every term up to its part),
    in one query; None when the one-row index cannot answer: a row is stale, or this
    database has no such table (SQLite without FTS5, or before migration 0024)."""
    stale = f"EXISTS (SELECT 1 FROM {STALE_TABLE})"  # noqa: S608
    selects = [stale]
    parameters: list = []
    base_sql, base_parameters = base
    for tier in tiers:
        matched, matched_parameters = _matched(query, _TIERS[tier])
        if unfiltered:  # the table holds exactly the published commitments: it counts
            counted = f"SELECT count(*) FROM ({matched}) matched"  # noqa: S608
        else:
            counted = f"SELECT count(*) FROM ({base_sql}) base WHERE base.id IN ({matched})"  # noqa: S608
            parameters += base_parameters
        selects.append(f"CASE WHEN {stale} THEN NULL ELSE ({counted}) END")  # not if stale
        parameters += matched_parameters
    try:
        row = _fetch("SELECT " + ", ".join(selects), parameters)[0]
    except OperationalError as error:  # SQLite; PostgreSQL's migration 0025 makes the table
        if "no such table" not in str(error):
            raise
        return None
    return None if row[0] else list(row[1:])


# A tier this many times larger than the rows read through it is read by walking the list's
# order (its share of the list is large enough that the page is soon found); a smaller one
# by looking its commitments up and sorting them.
WALK_RATIO = 20


def _band(query: Query, tier: int, base, limit: int, offset: int, size: int) -> list[int]:
    """Return ids of BASE ranked in one tier (held by it, not by the one before), in the
    list's order.

    SQLite: a large tier is read with ``+base.id``, which keeps it walking the list's order
    and probing the matched rowids, stopping after LIMIT rows; a small one by its SIZE rows
    looked up and sorted (a walk would cross most of the list). PostgreSQL: the tier's ids
    less the tier before's (two bitmap scans), then the commitments of BASE among them,
    sorted, behind ``OFFSET 0``: its planner cannot tell where in the list's order a pair's
    rows are, and walked that order instead (長照's 700 titles at 100× the corpus sit
    together, late: it read 79,000 rows' title vectors for one page)."""
    base_sql, base_parameters = base
    matched, parameters = _matched(query, _TIERS[tier])
    parameters = [*base_parameters, *parameters]
    order = "ORDER BY base.last_updated DESC, base.title, base.id LIMIT %s OFFSET %s"
    if connection.vendor == "postgresql":
        band = matched
        if tier:
            before, before_parameters = _matched(query, _TIERS[tier - 1])
            band = f"({matched}) EXCEPT ({before})"
            parameters += before_parameters
        sql = (
            f"SELECT base.id FROM (SELECT base.* FROM ({base_sql}) base "  # noqa: S608
            f"WHERE base.id IN ({band}) OFFSET 0) base {order}"
        )
        return [row[0] for row in _fetch(sql, [*parameters, limit, offset])]
    walk = "+" if size >= WALK_RATIO * (offset + limit) else ""
    conditions = [f"{walk}base.id IN ({matched})"]
    if tier:
        before, before_parameters = _matched(query, _TIERS[tier - 1])
        conditions.append(f"{walk}base.id NOT IN ({before})")
        parameters += before_parameters
    sql = f"SELECT base.id FROM ({base_sql}) base WHERE {' AND '.join(conditions)} {order}"  # noqa: S608
    return [row[0] for row in _fetch(sql, [*parameters, limit, offset])]


def _columns_page(query, base, *, limit, offset, unfiltered) -> tuple[list[int], int] | None:
    """Return one page of ids and the number of matches, tier by tier, or None when the
    one-row index cannot answer. The title tier and all matches are counted in one query;
    the tiers between only if the page reaches them. Each tier the page reaches is read
    from where the page starts in it."""
    last = len(_TIERS) - 1
    first = _tier_counts(query, [0, last], base, unfiltered)
    if first is None:
        return None
    counts: dict[int, int] = {-1: 0, 0: first[0], last: first[1]}  # cumulative, by tier

    def count(tier: int) -> int:
        if tier not in counts:
            later = _tier_counts(query, [tier], base, unfiltered)
            if later is None:  # gone stale since the first count: the documents answer
                raise _Stale
            counts[tier] = later[0]
        return counts[tier]

    ids: list[int] = []
    try:
        for tier in range(len(_TIERS)):
            if len(ids) == limit or offset + len(ids) >= counts[last]:
                break
            # Never before the tier's start, even if the rows held one the list does not.
            start = max(0, offset + len(ids) - count(tier - 1))
            size = count(tier) - count(tier - 1)
            if start < size:
                ids += _band(query, tier, base, limit - len(ids), start, size)
    except _Stale:
        return None
    return ids, counts[last]


class _Stale(Exception):
    """A row went stale between two counts of one ranked page."""


def ranked_page(
    query: Query, base: tuple[str, list], *, limit: int | None, offset: int = 0, unfiltered=False
) -> tuple[list[int], int]:
    """Return the ids of one page of the commitments of BASE matching QUERY, ranked as
    :func:`relevance` and the list's order rank them, and the number of all matches.

    BASE is as :func:`ranked_page_sql` takes it; UNFILTERED says it holds every published
    commitment (no other filter), so that counting needs no join. LIMIT None: the count
    alone. With the one-row-per-commitment index (no stale row) the matches are
    counted and ranked by column filters; otherwise by :func:`ranked_page_sql`.
    """
    if not query:
        raise ValueError("a ranked page needs a query with at least one term")
    if connection.vendor in ("sqlite", "postgresql"):
        # One read transaction: a write that marks rows stale cannot come between the
        # check and the reads (the counts read the one-row index alone, the page the list).
        # Inside a caller's transaction on PostgreSQL each statement reads what is committed
        # when it starts, and a count that finds rows stale makes the documents answer.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                # One snapshot for the page's statements, as SQLite's read transaction.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            if limit is None:
                counts = _tier_counts(query, [len(_TIERS) - 1], base, unfiltered)
                page = None if counts is None else ([], counts[0])
            else:
                page = _columns_page(query, base, limit=limit, offset=offset, unfiltered=unfiltered)
        if page is not None:
            return page
    sql, parameters = ranked_page_sql(query, base, limit=limit, offset=offset)
    rows = _fetch(sql, parameters)
    if limit is None:
        return [], rows[0][0]
    if rows:
        return [row[0] for row in rows], rows[0][1]
    sql, parameters = ranked_page_sql(query, base, limit=None)
    return [], _fetch(sql, parameters)[0][0]


# Highlighting ----------------------------------------------------------------------------

SNIPPET_CONTEXT = 50


def _pattern(query: Query) -> re.Pattern | None:
    if not query:
        return None
    between = r"[\W_]*"
    phrases = sorted(
        (phrase for term in query.terms for phrase in term.phrases), key=lambda p: -len(p)
    )
    alternatives = [between.join(re.escape(token) for token in phrase) for phrase in phrases]
    return re.compile("|".join(alternatives))


# One character as the index sees it: texts repeat their characters, so a reply of thousands
# of characters costs a few hundred normalisations, not one per character.
_normalised_char = lru_cache(maxsize=1 << 16)(normalise)


class _CharacterFolds:
    """Each character's normalised form, learnt once per process and applied to a whole text
    with str.translate (a reply of 10,000 characters: about 0.1 ms, not 3 ms character by
    character in Python; a page of search results shows up to 20 excerpts)."""

    LIMIT = 1 << 17  # distinct characters remembered (a text's alphabet is far smaller)

    def __init__(self):
        self.known: set[str] = set()
        self.changed: dict[int, str] = {}  # code point → its form, where that differs
        self.not_single: set[str] = set()  # characters whose form is not one character

    def normalised(self, text: str) -> tuple[str, bool] | None:
        """Return TEXT normalised character by character, and whether each character
        stayed one character (so positions in the result are positions in TEXT); None
        once too many distinct characters were seen to learn more."""
        characters = set(text)
        unknown = characters - self.known
        if unknown:
            if len(self.known) + len(unknown) > self.LIMIT:
                return None
            for char in unknown:
                folded = _normalised_char(char)
                if folded != char:
                    self.changed[ord(char)] = folded
                if len(folded) != 1:
                    self.not_single.add(char)
            self.known |= unknown
        return text.translate(self.changed), characters.isdisjoint(self.not_single)


_folds = _CharacterFolds()


def _normalised_with_origin(text: str) -> tuple[str, list[int] | range]:
    """Return text normalised character by character, and where each of its characters
    came from in TEXT (NFKC or case folding can make one character several)."""
    learnt = _folds.normalised(text)
    if learnt is not None and learnt[1]:
        return learnt[0], range(len(text))
    folded = list(map(_normalised_char, text))
    origin: list[int] = []
    for index, piece in enumerate(folded):
        origin.extend([index] * len(piece))
    return "".join(folded), origin


def match_spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Return the (start, end) spans of the original text that match the query."""
    pattern = _pattern(query)
    if not text or pattern is None:
        return []
    normalised, origin = _normalised_with_origin(text)
    spans = []
    for match in pattern.finditer(normalised):
        if match.end() > match.start():
            spans.append((origin[match.start()], origin[match.end() - 1] + 1))
    return spans


def highlight(text: str, query: Query) -> SafeString:
    """Return text escaped, with the query's matches wrapped in <mark>."""
    return _marked(text, match_spans(text, query), 0, len(text or ""))


def snippet(text: str, query: Query, context: int = SNIPPET_CONTEXT) -> SafeString | None:
    """Return the part of text around its first match, highlighted, or None without a match."""
    spans = match_spans(text, query)
    if not spans:
        return None
    start = max(0, spans[0][0] - context)
    end = min(len(text), spans[0][1] + context * 2)
    body = _marked(text, spans, start, end)
    before = "…" if start > 0 else ""
    after = "…" if end < len(text) else ""
    return mark_safe(f"{before}{body}{after}")  # noqa: S308 - every piece is escaped


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> SafeString:
    pieces: list[str] = []
    position = start
    for span_start, span_end in spans:
        if span_end <= position or span_start >= end:
            continue
        span_start = max(span_start, position)
        span_end = min(span_end, end)
        pieces.append(escape(text[position:span_start]))
        pieces.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    pieces.append(escape(text[position:end]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped
