"""Write a synthetic corpus N times the size of the real one, in the real files' shapes.

    python bench/make_corpus.py --scale 100 --out /tmp/corpus-100x [--corpus DIR]

Copy k of a file gets a new id and path (`<folder>/<name>~k.md`) and cites copy k of its
reply, so replies, categories, agencies, log shapes and text lengths keep the real data's
proportions. Duplicate-id pairs of the real data stay duplicate pairs in every copy.
"""

import argparse
import dataclasses
import shutil
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.core import format as fmt  # noqa: E402


def copy_id(original: str, copy: int) -> str:
    if copy == 0:
        return original
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{original}/{copy}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--out", required=True)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus/commitments"))
    arguments = parser.parse_args()
    corpus, out = Path(arguments.corpus), Path(arguments.out)
    if out.exists():
        shutil.rmtree(out)
    originals = [
        (path.relative_to(corpus), fmt.parse(path.read_text(encoding="utf-8")))
        for path in sorted(corpus.rglob("*.md"))
    ]
    written = 0
    for copy in range(arguments.scale):
        for relative, data in originals:
            variant = dataclasses.replace(
                data,
                id=copy_id(data.id, copy),
                source=dataclasses.replace(
                    data.source, document_id=copy_id(data.source.document_id, copy)
                ),
            )
            name = relative.stem if copy == 0 else f"{relative.stem}~{copy}"
            path = out / relative.parent / f"{name}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(fmt.render(variant).encode("utf-8"))
            written += 1
    print(f"wrote {written} files to {out}")


if __name__ == "__main__":
    main()
