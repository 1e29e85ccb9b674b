"""The real corpus goes in and comes back out byte for byte."""

import pytest

from tracker.core.models import Commitment, DuplicateCopy
from tracker.core.services.commitment_export import commitments_export
from tracker.core.services.commitment_import import commitments_import_paths

pytestmark = [pytest.mark.django_db, pytest.mark.corpus]


def first_difference(expected: bytes, actual: bytes) -> str:
    old = expected.decode("utf-8", "replace").split("\n")
    new = actual.decode("utf-8", "replace").split("\n")
    for number, (a, b) in enumerate(zip(old, new, strict=False), start=1):
        if a != b:
            return f"line {number}: expected {a[:80]!r}, exported {b[:80]!r}"
    return f"line {min(len(old), len(new)) + 1}: lengths differ ({len(old)} vs {len(new)} lines)"


def test_every_corpus_file_exports_byte_for_byte(corpus_commitments, tmp_path):
    report = commitments_import_paths(paths=[corpus_commitments])
    assert report.ok, report.failed[:5]
    assert (report.created, report.updated) == (report.files - len(report.duplicates), 0)
    commitments_export(directory=tmp_path / "out")

    originals = {
        path.relative_to(corpus_commitments).as_posix(): path
        for path in corpus_commitments.rglob("*.md")
    }
    set_aside = set(DuplicateCopy.objects.values_list("file_path", flat=True))
    exported = {
        path.relative_to(tmp_path / "out").as_posix(): path
        for path in (tmp_path / "out").rglob("*.md")
    }
    assert set(exported) == set(originals) - set_aside
    assert len(set_aside) == len(report.duplicates)
    assert Commitment.objects.count() == len(originals) - len(set_aside)
    for relative in sorted(exported):
        expected = originals[relative].read_bytes()
        actual = exported[relative].read_bytes()
        if expected != actual:
            pytest.fail(f"{relative} differs at {first_difference(expected, actual)}")


def test_reimporting_the_corpus_changes_nothing(corpus_commitments):
    commitments_import_paths(paths=[corpus_commitments])
    report = commitments_import_paths(paths=[corpus_commitments])
    assert (report.created, report.updated, len(report.failed)) == (0, 0, 0)
    assert report.unchanged == report.files - len(report.duplicates)
