import pytest

from tests.samples import sample  # noqa: F401


@pytest.fixture(autouse=True)
def _downloads_in_a_temporary_folder(settings, tmp_path):
    """Build the downloads where each test can see them, never in the checkout's var/."""
    settings.TRACKER_DOWNLOADS_DIR = tmp_path / "downloads"
