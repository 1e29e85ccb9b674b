"""Finding and reading commitment files: links, special files and sizes are reported."""

import os
import shutil
import stat

import pytest

from tracker.core import format as fmt
from tracker.core.models import Commitment
from tracker.core.services.commitment_import import (
    ImportFileError,
    commitments_import_paths,
    find_commitment_files,
    read_commitment_file,
)

pytestmark = pytest.mark.django_db

FOUNDING = "國防外交/捍衛國家主權.md"


@pytest.fixture
def folder(tmp_path, fixtures_dir):
    target = tmp_path / "commitments"
    shutil.copytree(fixtures_dir, target)
    return target


@pytest.fixture
def outside(tmp_path, fixtures_dir):
    """A valid commitment file outside the imported folder, with an id of its own."""
    text = (fixtures_dir / FOUNDING).read_text(encoding="utf-8")
    path = tmp_path / "secret" / "outside.md"
    path.parent.mkdir()
    path.write_text(text.replace("0d78eb7d", "aaaaaaaa", 1), encoding="utf-8")
    return path


def skipped_line(errors, name):
    lines = [line for line in errors if name in line]
    assert len(lines) == 1, errors
    assert "\n" not in lines[0]
    return lines[0]


def test_a_link_leaving_the_folder_is_refused_and_reported(folder, outside):
    link = folder / "國防外交" / "link.md"
    link.symlink_to(outside)

    report = commitments_import_paths(paths=[folder])

    line = skipped_line(report.failed, "link.md")
    assert "skipped" in line and "outside" in line and str(outside) in line
    assert not Commitment.objects.filter(uid__startswith="aaaaaaaa").exists()
    assert not report.ok


def test_a_link_through_a_relative_path_leaving_the_folder_is_refused(folder, outside):
    link = folder / "教育" / "relative.md"
    link.symlink_to(os.path.relpath(outside, link.parent))

    found, errors = find_commitment_files([folder])

    assert all("relative.md" not in display for display, _ in found)
    assert "outside" in skipped_line(errors, "relative.md")


def test_a_link_to_a_folder_outside_is_not_followed_and_is_reported(folder, outside):
    (folder / "linked").symlink_to(outside.parent, target_is_directory=True)

    found, errors = find_commitment_files([folder])

    assert all("outside.md" not in display for display, _ in found)
    assert "not followed" in skipped_line(errors, "linked")


def test_a_link_inside_the_folder_is_read(folder):
    (folder / "其他").mkdir()
    (folder / "其他" / "alias.md").symlink_to(folder / FOUNDING)

    found, errors = find_commitment_files([folder])

    assert ("其他/alias.md") in [relative for _, relative in found]
    assert errors == []


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda path: os.mkfifo(path), "FIFO"),
        (lambda path: path.symlink_to(path.parent / "gone.md"), "does not exist"),
        (lambda path: path.symlink_to("/dev/null"), "outside"),
        (lambda path: path.mkdir(), None),
    ],
    ids=["fifo", "dangling-link", "link-to-device", "folder-named-md"],
)
def test_special_entries_named_md_are_reported_with_the_reason(folder, make, why):
    path = folder / "教育" / "special.md"
    make(path)

    found, errors = find_commitment_files([folder])

    assert all(os.path.basename(display) != "special.md" for display, _ in found)
    if why is None:
        assert errors == []  # a folder is walked into, not a file to report
    else:
        assert why in skipped_line(errors, "special.md")


def test_a_fifo_named_on_the_command_line_is_reported_not_waited_on(tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)

    found, errors = find_commitment_files([fifo])

    assert found == []
    assert errors == [f"{fifo}: skipped: a FIFO (named pipe), not a regular file"]


def test_a_fifo_swapped_in_after_discovery_does_not_hang_the_read(tmp_path):
    fifo = tmp_path / "類別" / "swapped.md"
    fifo.parent.mkdir()
    os.mkfifo(fifo)

    with pytest.raises(ImportFileError, match="FIFO"):
        read_commitment_file(str(fifo), "類別/swapped.md")


@pytest.mark.parametrize("size", [fmt.MAX_FILE_BYTES + 1, 5 * 1024 * 1024, 100 * 1024 * 1024])
def test_a_file_too_big_is_reported_with_its_own_size(tmp_path, size):
    path = tmp_path / "類別" / "big.md"
    path.parent.mkdir()
    with open(path, "wb") as handle:
        handle.truncate(size)  # sparse: no disk used

    with pytest.raises(ImportFileError) as error:
        read_commitment_file(str(path), "類別/big.md")

    assert f"the file is {size:,} bytes" in str(error.value)
    assert "2,097,152" in str(error.value)


def test_a_device_file_named_md_is_reported(folder):
    path = folder / "教育" / "device.md"
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device file needs root")

    found, errors = find_commitment_files([folder])

    assert all("device.md" not in display for display, _ in found)
    assert "a character device, not a regular file" in skipped_line(errors, "device.md")
