"""Time import_commitments, export_commitments and the parse-only floor, as whole processes.

    python bench/import_export.py [--corpus DIR] [--runs 5] [--keep FILE]

Each import runs into a new, empty SQLite database; each export writes into a new folder.
Prints the median wall time of the runs, the peak memory (max RSS) of the import, and the
ratio of each to the floor (reading and YAML-parsing the same files, nothing else).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run(command, environment) -> tuple[float, int]:
    """Run a command; return its wall time in seconds and its peak RSS in MiB."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed with status {status}")
    return elapsed, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus/commitments"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--keep", help="copy the last run's SQLite database here (for bench/load.py)"
    )
    arguments = parser.parse_args()
    corpus = Path(arguments.corpus).resolve()
    files = sum(1 for _ in corpus.rglob("*.md"))
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    manage = [PYTHON, str(ROOT / "manage.py")]
    results: dict[str, list[tuple[float, int]]] = {"floor": [], "import": [], "export": []}
    try:
        for number in range(arguments.runs):
            database = work / f"db-{number}.sqlite3"
            # Production settings: with DEBUG on, Django also records every query.
            environment = os.environ | {
                "SQLITE_PATH": str(database),
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
                "DJANGO_ALLOWED_HOSTS": "localhost",
            }
            subprocess.run([*manage, "migrate", "-v0"], env=environment, cwd=ROOT, check=True)
            results["floor"].append(
                run([PYTHON, str(ROOT / "bench/parse_floor.py"), str(corpus)], environment)
            )
            results["import"].append(run([*manage, "import_commitments", str(corpus)], environment))
            results["export"].append(
                run([*manage, "export_commitments", str(work / f"out-{number}")], environment)
            )
            shutil.rmtree(work / f"out-{number}")
        if arguments.keep:
            shutil.copyfile(database, arguments.keep)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    floor = statistics.median(wall for wall, _ in results["floor"])
    print(
        f"corpus: {corpus} ({files} files), {arguments.runs} runs, python {sys.version.split()[0]}"
    )
    print(f"{'step':<8} {'median s':>9} {'min s':>7} {'max s':>7} {'x floor':>8} {'peak MiB':>9}")
    for name, samples in results.items():
        walls = [wall for wall, _ in samples]
        median = statistics.median(walls)
        peak = max(rss for _, rss in samples)
        print(
            f"{name:<8} {median:>9.3f} {min(walls):>7.3f} {max(walls):>7.3f} "
            f"{median / floor:>8.2f} {peak:>9}"
        )


if __name__ == "__main__":
    main()
