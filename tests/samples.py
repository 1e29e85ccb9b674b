"""A fixture of the sample files, shared by the public site's tests (import it where used)."""

import pytest

from tracker.core.services.commitment_import import commitments_import_paths


@pytest.fixture
def sample(db, fixtures_dir):
    """The nine sample commitment files, imported as editors would."""
    report = commitments_import_paths(paths=[fixtures_dir])
    assert report.ok, report.failed
    return report
