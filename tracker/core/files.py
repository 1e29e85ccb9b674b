"""Open input files safely: regular files only, never blocking on a FIFO or a device."""

from __future__ import annotations

import os
import stat
from typing import BinaryIO


class UnreadableFile(Exception):
    """A path that cannot be read as a file; the message says why, without the path."""


def file_kind(mode: int) -> str:
    """Name what a non-regular file is ("a FIFO (named pipe)", "a folder", ...)."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


def open_regular_file(path: str | os.PathLike) -> BinaryIO:
    """Open PATH for reading in binary, or raise UnreadableFile if it is not a regular file.

    Opened non-blocking, so a FIFO (even one swapped in after the path was checked) is
    refused at once instead of waiting for a writer.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise UnreadableFile("no such file") from None
    except OSError as error:
        raise UnreadableFile(f"cannot be read: {error.strerror}") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise UnreadableFile(f"{file_kind(mode)}, not a regular file")
    os.set_blocking(descriptor, True)
    return open(descriptor, "rb")
