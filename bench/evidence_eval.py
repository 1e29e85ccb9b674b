"""Measure evidence suggestions on the real corpus: recall@5/@10 and time per reply.

Ground truth: every evidence-shaped log entry judged 進度更新 or 達成證據 cites a document
number (文件編號); where it equals a reply's eyNumber in corpus/replies/*.jsonl, that
(reply, commitment) pair is a true link. For each such reply the commitments are ranked and
we count how often the true commitment is in the first 5 and 10 suggestions. Pairs where the
commitment was drawn from another reply ("other reply") are ranked with the commitments drawn
from the reply itself left out (they are linked already).

The pairs are split by reply (md5 of its id, even: dev, odd: test): weights are tuned on dev
(--split dev) and reported on test (--split test).

    .venv/bin/python bench/evidence_eval.py [CORPUS_DIR] [--split dev|test|all]
        [--terms bigrams|jieba|mix] [--category W]

--terms jieba and mix need jieba (pip install jieba==0.42.1): measured, not a dependency.

Pure: reads the files directly (no database), as tracker.core.suggestions does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.core import format as fmt  # noqa: E402
from tracker.core import suggestions  # noqa: E402
from tracker.core.suggestions import (  # noqa: E402
    CommitmentDoc,
    SuggestionIndex,
    commitment_text,
    highlight_spans,
    matched_terms,
    reply_text,
    segments,
)

TRUE_JUDGEMENTS = ("進度更新", "達成證據")


def load(corpus: Path):
    commitments: dict[str, fmt.CommitmentData] = {}
    for path in sorted((corpus / "commitments").rglob("*.md")):
        data = fmt.parse(path.read_text(encoding="utf-8"))
        kept = commitments.get(data.id)
        if kept is None or (data.last_updated, len(data.log)) > (kept.last_updated, len(kept.log)):
            commitments[data.id] = data
    replies: dict[str, dict] = {}
    for path in sorted((corpus / "replies").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                payload = json.loads(line)["payload"]
                replies.setdefault(payload["baseId"], payload)
    return commitments, replies


def reply_texts(commitments, replies) -> dict[str, str]:
    """Every reply text known: sources quoted in commitment files, then the open-data rows."""
    texts = {}
    for data in commitments.values():
        if data.reply is not None:
            texts.setdefault(
                data.source.document_id, reply_text(data.reply.subject, data.reply.text)
            )
    for base_id, payload in replies.items():
        texts[base_id] = reply_text(payload["subject"], payload["content"])
    return texts


def ground_truth(commitments, replies):
    by_number = {payload["eyNumber"]: base_id for base_id, payload in replies.items()}
    pairs = {}
    for data in commitments.values():
        for entry in data.log:
            if entry.shape != fmt.SHAPE_EVIDENCE or entry.judgement not in TRUE_JUDGEMENTS:
                continue
            base_id = by_number.get(entry.document_number)
            if base_id:
                # Some files cite their reply by a chunk's id: compare the reply numbers.
                same = entry.document_number == data.source.ey_number
                kind = "same reply" if same else "other reply"
                pairs.setdefault((base_id, data.id), (kind, entry.judgement))
    return pairs


# Words of the pipeline's own phrasing ("the document shows the commitment's progress"), not
# of the content it claims to have found.
_PIPELINE_WORDS = "文件承諾內容相關進度更新達成證據顯示提及說明符合實踐推動政府部門計畫持續辦理"


def _bigrams(text: str) -> set[str]:
    text = "".join(re.findall(r"[\u4e00-\u9fff]", suggestions.normalise(text)))
    return {text[i : i + 2] for i in range(len(text) - 1)}


def claim_support(commitments, replies, texts, pairs) -> dict[tuple[str, str], float]:
    """How much of what the pipeline says it found is in the reply it cites, per pair.

    The claim is the bigrams that the entry's summary shares with the commitment's title and
    wording (the pipeline's own phrasing left out); the support is the share of them found in
    the cited reply's text (the best of the pair's entries). Pairs whose summary shares
    nothing with the commitment are left out.
    """
    by_number = {payload["eyNumber"]: base_id for base_id, payload in replies.items()}
    generic = _bigrams(_PIPELINE_WORDS)
    support: dict[tuple[str, str], float] = {}
    for data in commitments.values():
        own = _bigrams(data.title + data.wording)
        for entry in data.log:
            key = (by_number.get(entry.document_number), data.id)
            if key not in pairs:
                continue
            claim = (_bigrams(entry.summary) & own) - generic
            if claim:
                found = len(claim & _bigrams(texts[key[0]])) / len(claim)
                support[key] = max(support.get(key, 0.0), found)
    return support


def split_of(reply_id: str) -> str:
    return (
        "dev"
        if int(hashlib.md5(reply_id.encode(), usedforsecurity=False).hexdigest(), 16) % 2 == 0
        else "test"
    )


def jieba_terms(text: str) -> list[str]:
    """Return jieba's words (its own dictionary) of the normalised text, for comparison."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [
        word
        for word in jieba.cut(suggestions.normalise(text))
        if len(word.strip()) >= 2 and any(char.isalnum() for char in word)
    ]


def recall(hits: list[int], k: int) -> float:
    return sum(1 for rank in hits if rank < k) / len(hits) if hits else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=ROOT.parent / "shared" / "corpus", type=Path)
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--terms", choices=("bigrams", "jieba", "mix"), default="bigrams")
    parser.add_argument("--category", type=float, default=suggestions.CATEGORY_WEIGHT)
    args = parser.parse_args()
    suggestions.CATEGORY_WEIGHT = args.category
    bigrams = suggestions.terms
    suggestions.terms = {
        "bigrams": bigrams,
        "jieba": jieba_terms,
        "mix": lambda text: bigrams(text) + jieba_terms(text),
    }[args.terms]
    commitments, replies = load(args.corpus)
    texts = reply_texts(commitments, replies)
    pairs = ground_truth(commitments, replies)
    if args.split != "all":
        pairs = {key: value for key, value in pairs.items() if split_of(key[0]) == args.split}
    print(f"split {args.split}, terms {args.terms}, category weight {args.category}")
    print(
        f"{len(commitments)} commitments, {len(texts)} replies known "
        f"({len(replies)} in the open-data sample); {len(pairs)} true (reply, commitment) "
        f"pairs over {len({reply for reply, _ in pairs})} replies"
    )

    started = time.perf_counter()
    index = SuggestionIndex(
        [
            CommitmentDoc(
                uid,
                commitment_text(data.title, data.wording, data.responsible_agency),
                data.responsible_agency,
                data.category,
                data.source.document_id,
            )
            for uid, data in commitments.items()
        ],
        list(texts.items()),
    )
    build = time.perf_counter() - started

    ranks: dict[tuple[str, str], int] = {}
    per_reply = []
    cited = sorted({reply for reply, _ in pairs})
    for base_id in cited:
        started = time.perf_counter()
        ranked = index.commitments_for_reply(base_id, limit=len(commitments))
        per_reply.append(time.perf_counter() - started)
        position = {suggestion.key: number for number, suggestion in enumerate(ranked)}
        drawn = set(index.drawn_from(base_id))
        others = [suggestion.key for suggestion in ranked if suggestion.key not in drawn]
        other_position = {uid: number for number, uid in enumerate(others)}
        for (reply, uid), (kind, _judgement) in pairs.items():
            if reply == base_id:
                ranks[(reply, uid)] = (
                    other_position[uid] if kind == "other reply" else position[uid]
                )
    started = time.perf_counter()
    for base_id in texts:
        index.commitments_for_reply(base_id, limit=10)
    all_replies = time.perf_counter() - started
    # A day's replies as the desk shows them: the top 10, each with its matched terms.
    started = time.perf_counter()
    for base_id in replies:
        for suggestion in index.commitments_for_reply(base_id, limit=10):
            data = commitments[suggestion.key]
            query = commitment_text(data.title, data.wording, data.responsible_agency)
            spans = highlight_spans(suggestion.passage.text, query)
            segments(suggestion.passage.text, spans)
            matched_terms(suggestion.passage.text, spans)
    day = time.perf_counter() - started

    reverse = {}
    for reply, uid in pairs:
        ranked = index.replies_for_commitment(uid, limit=len(texts))
        reverse[(reply, uid)] = [s.key for s in ranked].index(reply)

    def line(label, keys):
        hits = [ranks[key] for key in keys]
        back = [reverse[key] for key in keys]
        print(
            f"  {label:34s} n={len(keys):4d}  recall@5={recall(hits, 5):.3f}  "
            f"recall@10={recall(hits, 10):.3f}  |  reply among {len(texts)} for the "
            f"commitment: recall@5={recall(back, 5):.3f} recall@10={recall(back, 10):.3f}"
        )

    print(
        "\nRecall of the true commitment among a reply's suggestions "
        "(other reply: the reply's own commitments left out):"
    )
    line("all pairs", list(pairs))
    groups = defaultdict(list)
    for key, (kind, judgement) in pairs.items():
        groups[kind].append(key)
        groups[f"{kind}, {judgement}"].append(key)
    for label in sorted(groups):
        line(label, groups[label])

    # Is what the pipeline says it found in the reply it cites? (Same-reply pairs: always.)
    support = claim_support(commitments, replies, texts, pairs)
    print(
        "\nThe pipeline's claim (its summary's words shared with the commitment) in the cited "
        "reply's text:"
    )
    for kind in ("same reply", "other reply"):
        shares = [share for key, share in support.items() if pairs[key][0] == kind]
        print(
            f"  {kind}: {len(shares)} pairs with a claim; at least half of it in the reply: "
            f"{sum(share >= 0.5 for share in shares)}; none of it: "
            f"{sum(share == 0 for share in shares)}"
        )
    for label, test in (
        ("other reply, claim in the reply", lambda share: share >= 0.5),
        ("other reply, claim not in it", lambda share: share < 0.5),
    ):
        line(
            label,
            [
                key
                for key, share in support.items()
                if pairs[key][0] == "other reply" and test(share)
            ],
        )

    by_reply = defaultdict(list)
    for (reply, _uid), rank in ranks.items():
        by_reply[reply].append(rank)
    for k in (5, 10):
        found = sum(1 for hits in by_reply.values() if min(hits) < k)
        print(
            f"  replies with at least one true commitment in the first {k:2d}: "
            f"{found}/{len(by_reply)} = {found / len(by_reply):.3f}"
        )

    print("\nTime (2-core machine, one process):")
    print(f"  build the index: {build:.2f} s")
    print(
        f"  suggestions for one reply: median {1000 * statistics.median(per_reply):.1f} ms, "
        f"max {1000 * max(per_reply):.1f} ms (ranking all {len(commitments)} commitments)"
    )
    print(f"  top 10 for all {len(texts)} replies: {all_replies:.2f} s")
    print(
        f"  a day's {len(replies)} replies (the open-data sample), top 10 with matched terms: "
        f"{day:.2f} s"
    )


if __name__ == "__main__":
    main()
