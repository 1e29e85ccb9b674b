"""The floor for import: read every .md file and YAML-parse its front matter, nothing else.

python bench/parse_floor.py [CORPUS_DIR]
"""

import sys
from pathlib import Path

import yaml


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/commitments")
    count = 0
    for path in sorted(root.rglob("*.md")):
        text = path.read_bytes().decode("utf-8")
        end = text.index("\n---\n", 3)
        yaml.load(text[4 : end + 1], Loader=yaml.CSafeLoader)
        count += 1
    print(f"parsed {count} files")


if __name__ == "__main__":
    main()
