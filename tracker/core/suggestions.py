"""Rank which commitments a reply concerns, and which replies concern a commitment, offline.

Pure: texts in, ranked keys and matching passages out; no database, no network.

Chinese has no spaces between words, so texts are compared as overlapping character
bigrams (most Chinese words are two characters; no word list or segmenter needed),
weighted by TF-IDF with scikit-learn's ``TfidfVectorizer(analyzer="char")``.
A reply answers many questions at once, so it is cut into passages (sentences, grouped up
to about 150 characters); a commitment's score for a reply is its best passage's cosine
similarity plus half the whole reply's, and that passage is what the editor is shown.
``bench/evidence_eval.py`` measures the ranking on the real corpus.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

NGRAM_RANGE = (2, 2)
PASSAGE_CHARS = 150
WHOLE_REPLY_WEIGHT = 0.5
DEFAULT_LIMIT = 10

# A passage ends after a full stop or semicolon, or before an enumerator (一、 (一) （一）).
_BOUNDARY = re.compile(
    r"(?<=[。；！？\n])|(?=[一二三四五六七八九十]+、)|(?=[(（][一二三四五六七八九十]+[)）])"
)
# A top-level item (一、 二、) answers a new question: it always starts a new passage.
_TOPIC = re.compile(r"[一二三四五六七八九十]+、")
_WORD_CHAR = re.compile(r"[\w]")


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
    """Return (start, end) runs of the passage made of character bigrams found in the query."""
    grams = {query[i : i + 2] for i in range(len(query) - 1)}
    covered = [False] * len(passage)
    for i in range(len(passage) - 1):
        pair = passage[i : i + 2]
        if pair in grams and _WORD_CHAR.match(pair[0]) and _WORD_CHAR.match(pair[1]):
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
    """Return the text a commitment is matched on (replies name the agency that answers)."""
    return "\n".join(part for part in (title, wording, agency) if part)


def reply_text(subject: str, text: str) -> str:
    """Return the text a reply is matched on."""
    return f"{subject}\n{text}" if subject else text


class SuggestionIndex:
    """Commitments and replies vectorised once; rank either against the other."""

    def __init__(
        self,
        commitments: Sequence[tuple[Hashable, str]],
        replies: Sequence[tuple[Hashable, str]],
    ):
        self.commitment_keys = [key for key, _ in commitments]
        self.commitment_texts = [text for _, text in commitments]
        self.reply_keys = [key for key, _ in replies]
        self.reply_texts = [text for _, text in replies]
        self._reply_row = {key: number for number, key in enumerate(self.reply_keys)}
        self._commitment_row = {key: number for number, key in enumerate(self.commitment_keys)}
        self.reply_passages = [passages(text) for text in self.reply_texts]
        # Imported here: scikit-learn takes a second or more to import, and every
        # management command loads the admin (and so this module) at start.
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(
            analyzer="char", ngram_range=NGRAM_RANGE, sublinear_tf=True, dtype=np.float32
        )
        passage_texts = [p.text for group in self.reply_passages for p in group]
        # Document frequencies come from commitments and whole replies; passages reuse them.
        matrix = self.vectorizer.fit_transform(self.commitment_texts + self.reply_texts)
        self.commitment_matrix = matrix[: len(self.commitment_texts)]
        self.reply_matrix = matrix[len(self.commitment_texts) :]
        self.passage_matrix = self.vectorizer.transform(passage_texts)
        bounds = np.cumsum([0] + [len(group) for group in self.reply_passages])
        self._passage_bounds = bounds

    def has_reply(self, key: Hashable) -> bool:
        return key in self._reply_row

    def has_commitment(self, key: Hashable) -> bool:
        return key in self._commitment_row

    def _scores(self, reply_row: int, passage_vectors=None, whole_vector=None):
        """Return (score per commitment, best passage index per commitment) for one reply."""
        if passage_vectors is None:
            start, stop = self._passage_bounds[reply_row], self._passage_bounds[reply_row + 1]
            passage_vectors = self.passage_matrix[start:stop]
            whole_vector = self.reply_matrix[reply_row]
        by_passage = (passage_vectors @ self.commitment_matrix.T).toarray()
        whole = (whole_vector @ self.commitment_matrix.T).toarray().ravel()
        best = by_passage.argmax(axis=0)
        score = by_passage.max(axis=0) + WHOLE_REPLY_WEIGHT * whole
        return score, best

    def commitments_for_reply(
        self, reply_key: Hashable, limit: int = DEFAULT_LIMIT
    ) -> list[Suggestion]:
        """Return the commitments a known reply most likely concerns, best first."""
        row = self._reply_row[reply_key]
        return self._rank(self._scores(row), self.reply_passages[row], limit)

    def commitments_for_text(self, text: str, limit: int = DEFAULT_LIMIT) -> list[Suggestion]:
        """Return the commitments an unindexed reply text most likely concerns."""
        groups = passages(text)
        scores = self._scores(
            -1,
            self.vectorizer.transform([p.text for p in groups]),
            self.vectorizer.transform([text]),
        )
        return self._rank(scores, groups, limit)

    def _rank(self, scores, groups: list[Passage], limit: int) -> list[Suggestion]:
        score, best = scores
        top = _top(score, limit)
        return [Suggestion(self.commitment_keys[i], float(score[i]), groups[best[i]]) for i in top]

    def replies_for_commitment(
        self, commitment_key: Hashable, limit: int = DEFAULT_LIMIT, exclude=()
    ) -> list[Suggestion]:
        """Return the replies most likely concerning a commitment, best first."""
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
    if limit <= 0:
        return []
    if limit >= len(score):
        return list(np.argsort(-score, kind="stable"))
    part = np.argpartition(-score, limit)[:limit]
    return sorted(part, key=lambda i: (-score[i], i))
