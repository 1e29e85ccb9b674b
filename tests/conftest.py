import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "commitments"
CORPUS = Path(os.environ.get("CORPUS_DIR", ROOT.parent / "shared" / "corpus"))


@pytest.fixture
def corpus_commitments() -> Path:
    """The real corpus of commitment files, or skip when this checkout has none beside it."""
    path = CORPUS / "commitments"
    if not path.is_dir():
        pytest.skip(f"the shared corpus is not at {path} (set CORPUS_DIR to run this test)")
    return path


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
