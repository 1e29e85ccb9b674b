"""Rank which commitments a reply concerns, and which replies concern a commitment, offline.

Pure: texts in, ranked keys and matching passages out; no database, no network.

Chinese has no spaces between words, so texts are compared as overlapping character
bigrams (most Chinese words are two characters), weighted by TF-IDF with scikit-learn.
Measured against jieba's words and a mix of both (bench/evidence_eval.py, README): bigrams
ranked as well or better, without a second dependency. Before counting, a text is folded
(臺/台, agency aliases to one name) and the interpellation boilerplate (委員 and their
names, term and session numbers, the standard opening and closing formulas) is blanked:
it says nothing about which commitment a reply bears on.

A reply answers many questions at once, so it is cut into passages (its numbered points
一、(一)、1. …, and sentences grouped up to about 150 characters); a commitment's text score
for a reply is its best passage's cosine similarity plus half the whole reply's, relative to
the reply's best commitment. Commitments in a category of the commitments drawn from the
reply get a small boost. Weights were tuned on half the replies and reported on the other
half; a boost for the answering agency (named in the reply or of its commitments) did not
help on the tuning half at any weight tried, so there is none.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from tracker.core.agencies import ALIAS_GROUPS, canonical_agency
from tracker.core.variants import fold_variants

if TYPE_CHECKING:
    # Imported where they are used: the admin (so every management command and worker)
    # imports this module at start, and numpy with scipy take about 0.2 s to import.
    import numpy as np
    from scipy import sparse

PASSAGE_CHARS = 150
WHOLE_REPLY_WEIGHT = 0.5
# Boost on top of the text score (1.0 for the reply's best commitment): tuned on the dev
# half of bench/evidence_eval.py's pairs.
CATEGORY_WEIGHT = 0.09
# A term in more than this share of all texts is boilerplate whatever it is.
MAX_DOCUMENT_SHARE = 0.5
DEFAULT_LIMIT = 10

# A passage ends after a full stop or semicolon, or before an enumerator (一、 (一) （一） 1.).
_BOUNDARY = re.compile(
    r"(?<=[。；！？\n])|(?=[一二三四五六七八九十]+、)|(?=[(（][一二三四五六七八九十]+[)）])"
    r"|(?<=[。；：\s])(?=\d{1,2}[.、．](?!\d))"
)
# A top-level item (一、 二、) answers a new question: it always starts a new passage.
_TOPIC = re.compile(r"[一二三四五六七八九十]+、")
_WORD_CHAR = re.compile(r"[\w]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z]{2,}|\d{3,}")
_NUMERAL = r"[\d０-９一二三四五六七八九十]+"
# What every interpellation reply says whatever it is about (length-preserving matches only:
# highlighting uses the offsets).
BOILERPLATE = re.compile(
    "|".join(
        (
            rf"第\s*{_NUMERAL}\s*屆(?:\s*第\s*{_NUMERAL}\s*會期)?(?:\s*第\s*{_NUMERAL}\s*次會議)?",
            rf"第\s*{_NUMERAL}\s*會期",
            r"(?:[\u4e00-\u9fff]{1,2})?委員(?!會)(?:[\u4e00-\u9fff]{2,3}(?=[就對等]))?",
            r"委員(?:[\u4e00-\u9fff]{2,4}、)+[\u4e00-\u9fff]{2,4}等\d+人",
            r"行政院函送",
            r"所提質詢之書面答復",
            r"書面答復",
            r"請查照案?",
            r"施政質詢",
            r"所提質詢",
            r"質詢",
            r"經交據[\u4e00-\u9fff]{0,12}?(?:查復|答復|函復)如下",
            r"(?:茲|謹)?(?:答復|查復|說明)如下",
            r"貴委員|大院|鈞院|本院",
            r"中華民國\d+年\d+月\d+日",
            r"院臺[\u4e00-\u9fff]字第\d+號",
        )
    )
)
# Canonical names too, longest first: 農業委員會 inside 行政院農業委員會 is not an alias there.
_ALIAS_SPELLINGS = sorted(
    {
        fold_variants(name)
        for canonical, aliases in ALIAS_GROUPS.items()
        for name in (canonical, *aliases)
    },
    key=len,
    reverse=True,
)
_ALIAS = re.compile("|".join(re.escape(alias) for alias in _ALIAS_SPELLINGS))


def normalise(text: str) -> str:
    """Return text as it is compared: boilerplate blanked, agency aliases and 台/臺 folded."""
    text = fold_variants(BOILERPLATE.sub(" ", text))
    return _ALIAS.sub(lambda match: fold_variants(canonical_agency(match.group())), text)


def terms(text: str) -> list[str]:
    """Return the terms a text is compared on: character bigrams, Latin words, long numbers."""
    result: list[str] = []
    for run in _CJK_RUN.findall(normalise(text)):
        if run[0].isascii():
            result.append(run.lower())
        else:
            result.extend(run[i : i + 2] for i in range(len(run) - 1))
    return result


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Suggestion:
    key: Hashable
    score: float
    passage: Passage


class CommitmentDoc(NamedTuple):
    """What a commitment is matched on; `source` is the key of the reply it was drawn from."""

    key: Hashable
    text: str
    agency: str | None = None
    category: str = ""
    source: Hashable = None


def passages(text: str, limit: int = PASSAGE_CHARS) -> list[Passage]:
    """Cut a reply into passages: whole sentences, grouped up to `limit` characters.

    A top-level item (一、) always starts a new passage; the passages cover the text.
    """
    result: list[Passage] = []
    start = position = 0
    for piece in _BOUNDARY.split(text):
        if not piece:
            continue
        new_topic = _TOPIC.match(piece) is not None
        if position > start and (new_topic or position - start + len(piece) > limit):
            result.append(Passage(start, position, text[start:position]))
            start = position
        position += len(piece)
    if position > start:
        result.append(Passage(start, position, text[start:position]))
    return [passage for passage in result if passage.text.strip()] or [Passage(0, 0, "")]


def highlight_spans(passage: str, query: str, min_chars: int = 2) -> list[tuple[int, int]]:
    """Return (start, end) runs of the passage made of character bigrams found in the query.

    Boilerplate (委員, session numbers, the standard formulas) is never marked.
    """
    folded = fold_variants(passage)
    grams = _query_grams(query)
    boiler = [False] * len(passage)
    for match in BOILERPLATE.finditer(folded):
        boiler[match.start() : match.end()] = [True] * (match.end() - match.start())
    covered = [False] * len(passage)
    for i in range(len(passage) - 1):
        pair = folded[i : i + 2]
        if (
            pair in grams
            and not (boiler[i] or boiler[i + 1])
            and _WORD_CHAR.match(pair[0])
            and _WORD_CHAR.match(pair[1])
        ):
            covered[i] = covered[i + 1] = True
    spans, start = [], None
    for i, flag in enumerate([*covered, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            # Bare numbers ("10" in "107-113年") match by chance: not worth marking.
            if i - start >= min_chars and not passage[start:i].isdigit():
                spans.append((start, i))
            start = None
    return spans


@functools.lru_cache(maxsize=4096)
def _query_grams(query: str) -> frozenset[str]:
    """Return the bigrams a passage may match a query on (cached: commitments recur)."""
    return frozenset(terms(query)) | {
        pair for i in range(len(query) - 1) if (pair := query[i : i + 2]).isascii()
    }


def matched_terms(passage: str, spans: list[tuple[int, int]], limit: int = 8) -> list[str]:
    """Return the distinct marked runs of a passage (from highlight_spans), longest first."""
    runs = {passage[start:end] for start, end in spans}
    return sorted(runs, key=lambda run: (-len(run), passage.find(run)))[:limit]


def segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Return the text as (piece, highlighted) pairs, for a template to escape and mark."""
    result, position = [], 0
    for start, end in spans:
        if start > position:
            result.append((text[position:start], False))
        result.append((text[start:end], True))
        position = end
    if position < len(text):
        result.append((text[position:], False))
    return result


def commitment_text(title: str, wording: str, agency: str | None) -> str:
    """Return the text a commitment is matched on (the title counts twice: it names the topic)."""
    return "\n".join(part for part in (title, title, wording, agency) if part)


def reply_text(subject: str, text: str) -> str:
    """Return the text a reply is matched on."""
    return f"{subject}\n{text}" if subject else text


class SuggestionIndex:
    """Commitments and replies vectorised once; rank either against the other."""

    def __init__(
        self,
        commitments: Sequence[CommitmentDoc | tuple],
        replies: Sequence[tuple[Hashable, str]],
    ):
        import numpy as np
        from scipy import sparse

        docs = [CommitmentDoc(*item) for item in commitments]
        self.commitment_keys = [doc.key for doc in docs]
        self.commitment_texts = [doc.text for doc in docs]
        self.reply_keys = [key for key, _ in replies]
        self.reply_texts = [text for _, text in replies]
        self._reply_row = {key: number for number, key in enumerate(self.reply_keys)}
        self._commitment_row = {key: number for number, key in enumerate(self.commitment_keys)}
        self.reply_passages = [passages(text) for text in self.reply_texts]
        self._categories = np.array([doc.category or "" for doc in docs], dtype=object)
        self._drawn_from: dict[Hashable, list[int]] = {}
        for number, doc in enumerate(docs):
            if doc.source is not None:
                self._drawn_from.setdefault(doc.source, []).append(number)
        # Imported here: scikit-learn takes a second or more to import, and every
        # management command loads the admin (and so this module) at start.
        from sklearn.feature_extraction.text import TfidfTransformer

        # Each text is cut into terms once: a reply's counts are the sum of its passages'.
        self._vocabulary: dict[str, int] = {}
        commitment_counts = self._count(self.commitment_texts, grow=True)
        passage_counts = self._count(
            [p.text for group in self.reply_passages for p in group], grow=True
        )
        size = len(self._vocabulary)
        commitment_counts.resize((commitment_counts.shape[0], size))
        owner = np.repeat(np.arange(len(replies)), [len(g) for g in self.reply_passages])
        reply_counts = (
            sparse.csr_matrix(
                (np.ones(len(owner), dtype=np.float32), (owner, np.arange(len(owner)))),
                shape=(len(replies), len(owner)),
            )
            @ passage_counts
        )
        both = sparse.vstack([commitment_counts, reply_counts]).tocsr()
        # Terms in more than half of all texts say nothing about any one of them.
        if both.shape[0] >= 20:
            share = np.bincount(both.indices, minlength=size) / both.shape[0]
            self._keep = (share <= MAX_DOCUMENT_SHARE).astype(np.float32)
        else:
            self._keep = np.ones(size, dtype=np.float32)
        # An empty database (no commitment, no reply, no term) still gets an index, one that
        # ranks nothing: the transformer cannot learn from no rows or no terms.
        self._transformer = (
            TfidfTransformer(sublinear_tf=True).fit(self._kept(both))
            if both.shape[0] and size
            else None
        )
        self.commitment_matrix = self._weigh(commitment_counts)
        # Transposed once: every ranking multiplies by it.
        self._commitment_columns = self.commitment_matrix.T.tocsr()
        self.reply_matrix = self._weigh(reply_counts)
        self.passage_matrix = self._weigh(passage_counts)
        bounds = np.cumsum([0] + [len(group) for group in self.reply_passages])
        self._passage_bounds = bounds

    def has_reply(self, key: Hashable) -> bool:
        return key in self._reply_row

    def has_commitment(self, key: Hashable) -> bool:
        return key in self._commitment_row

    def _count(self, texts: Sequence[str], grow: bool = False) -> sparse.csr_matrix:
        """Return the term counts of texts (new terms join the vocabulary when `grow`)."""
        import numpy as np
        from scipy import sparse

        vocabulary = self._vocabulary
        indptr, indices, values = [0], [], []
        for text in texts:
            for term, count in Counter(terms(text)).items():
                column = vocabulary.get(term)
                if column is None:
                    if not grow:
                        continue
                    column = vocabulary[term] = len(vocabulary)
                indices.append(column)
                values.append(count)
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.array(values, dtype=np.float32), np.array(indices, dtype=np.int64), indptr),
            shape=(len(texts), len(vocabulary)),
        )

    def _kept(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        from scipy import sparse

        return counts @ sparse.diags(self._keep)

    def _weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """Return TF-IDF rows (sublinear, L2-normalised) of term counts."""
        import numpy as np
        from scipy import sparse

        if self._transformer is None or counts.shape[0] == 0:
            return sparse.csr_matrix(counts.shape, dtype=np.float32)
        return self._transformer.transform(self._kept(counts)).astype(np.float32).tocsr()

    def _vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self._weigh(self._count(texts))

    def drawn_from(self, reply_key: Hashable) -> list[Hashable]:
        """Return the keys of the commitments drawn from a reply."""
        return [self.commitment_keys[i] for i in self._drawn_from.get(reply_key, [])]

    def _boost(self, reply_key: Hashable = None) -> np.ndarray:
        """Return each commitment's boost for sharing a category with the reply's own."""
        import numpy as np

        categories = {self._categories[row] for row in self._drawn_from.get(reply_key, [])}
        if not categories:
            return np.zeros(len(self.commitment_keys), dtype=np.float32)
        return CATEGORY_WEIGHT * np.isin(self._categories, list(categories)).astype(np.float32)

    def _scores(self, passage_vectors, whole_vector, boost):
        """Return (score per commitment, best passage index per commitment) for one reply."""
        by_passage = (passage_vectors @ self._commitment_columns).toarray()
        whole = (whole_vector @ self._commitment_columns).toarray().ravel()
        best = by_passage.argmax(axis=0)
        score = by_passage.max(axis=0) + WHOLE_REPLY_WEIGHT * whole
        top = score.max() if len(score) else 0
        if top > 0:
            score = score / top
        return score + boost, best

    def commitments_for_reply(
        self, reply_key: Hashable, limit: int = DEFAULT_LIMIT, exclude=()
    ) -> list[Suggestion]:
        """Return the commitments a known reply most likely concerns, best first."""
        row = self._reply_row[reply_key]
        start, stop = self._passage_bounds[row], self._passage_bounds[row + 1]
        scores = self._scores(
            self.passage_matrix[start:stop],
            self.reply_matrix[row],
            self._boost(reply_key),
        )
        return self._rank(scores, self.reply_passages[row], limit, exclude)

    def commitments_for_text(
        self, text: str, limit: int = DEFAULT_LIMIT, exclude=()
    ) -> list[Suggestion]:
        """Return the commitments an unindexed reply text most likely concerns."""
        groups = passages(text)
        scores = self._scores(
            self._vectors([p.text for p in groups]),
            self._vectors([text]),
            self._boost(),
        )
        return self._rank(scores, groups, limit, exclude)

    def _rank(self, scores, groups: list[Passage], limit: int, exclude=()) -> list[Suggestion]:
        import numpy as np

        score, best = scores
        for key in exclude:
            if key in self._commitment_row:
                score[self._commitment_row[key]] = -np.inf
        return [
            Suggestion(self.commitment_keys[i], float(score[i]), groups[best[i]])
            for i in _top(score, limit)
            if np.isfinite(score[i])
        ]

    def replies_for_commitment(
        self, commitment_key: Hashable, limit: int = DEFAULT_LIMIT, exclude=()
    ) -> list[Suggestion]:
        """Return the replies most likely concerning a commitment, best first."""
        import numpy as np

        vector = self.commitment_matrix[self._commitment_row[commitment_key]]
        by_passage = (self.passage_matrix @ vector.T).toarray().ravel()
        whole = (self.reply_matrix @ vector.T).toarray().ravel()
        bounds = self._passage_bounds
        starts = bounds[:-1]
        best_score = np.maximum.reduceat(by_passage, starts) if len(by_passage) else whole
        score = best_score + WHOLE_REPLY_WEIGHT * whole
        for key in exclude:
            if key in self._reply_row:
                score[self._reply_row[key]] = -np.inf
        result = []
        for row in _top(score, limit):
            if not np.isfinite(score[row]):
                break
            local = by_passage[bounds[row] : bounds[row + 1]]
            passage = self.reply_passages[row][int(local.argmax())]
            result.append(Suggestion(self.reply_keys[row], float(score[row]), passage))
        return result


def _top(score: np.ndarray, limit: int) -> list[int]:
    """Return the indices of the `limit` highest scores, best first (ties by position)."""
    import numpy as np

    if limit <= 0:
        return []
    if limit >= len(score):
        return list(np.argsort(-score, kind="stable"))
    part = np.argpartition(-score, limit)[:limit]
    return sorted(part, key=lambda i: (-score[i], i))
