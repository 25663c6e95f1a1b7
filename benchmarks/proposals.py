"""Time ``conflictdata add --dry-run`` (with its event proposals) on a package of 10,000 events.

    python benchmarks/proposals.py                    # generate, then 5 timed runs
    python benchmarks/proposals.py --work /tmp/bench-proposals --runs 9
    python benchmarks/proposals.py --work /tmp/bench-proposals --prepare-only

The package is benchmarks/generate.py's with 50,000 munitions rows: 10,000 updates, one event
each (an attack by Russia over three whole days), so a dry run proposes among 10,000 events.
The submission (``WORK/submission.yaml``) is one source with one update of 20 munitions claims
without ``event_id``: each on another day, about a synthetic drone type, aimed at a city, as a
curator's report of the same nights would be. Each run is a fresh process (imports count, as
they do for a user); prints the median, min and max wall seconds. To compare two versions of
the code, run the same command with each on the path against the same --work folder, in turn.
Synthetic data is for benchmarks only: it never goes into ``data/``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import CLI, PY, measure  # noqa: E402  (benchmarks/run.py: a fresh process per run)

ROWS = 50_000  # munitions rows: 10,000 updates and events
CLAIMS = 20


def submission(claims: int = CLAIMS) -> str:
    """One source, one update, ``claims`` munitions claims on consecutive days of 2023, none linked."""
    from datetime import date, timedelta

    lines = ["source:", "  publisher: Synthetic Curator Wire", "  title: Synthetic nights of attacks",
             "  url: https://example.org/benchmark/proposals", "  kind: article", "  published_date: 2025-06-01",
             "updates:", "  - headline: Synthetic nights", "    summary: Synthetic claims for a benchmark.",
             "    munitions:"]
    for i in range(claims):
        day = date(2023, 1, 1) + timedelta(days=3 * i)
        lines += [f"      - claimant_id: unit-{i % 2}", "        attacker_id: russia",
                  f"        munition_type_id: type-{(i * 5) % 40}",
                  f"        window_start: {day.isoformat()}T00:00:00",
                  f"        window_end: {(day + timedelta(days=1)).isoformat()}T00:00:00",
                  "        window_precision: day", f"        target_place_id: city-{i}",
                  "        target_place_precision: within", f"        launched: {10 + i}",
                  "        certainty: asserted", f"        quote: synthetic night {i} of drones"]
    return "\n".join(lines) + "\n"


def prepare(work: Path) -> tuple[Path, Path]:
    """The package (generated once) and the submission in ``work``."""
    import subprocess

    pkg = work / "pkg-10000-events"
    if not (pkg / "datapackage.json").exists():
        subprocess.run([PY, str(HERE / "generate.py"), "--rows", str(ROWS), "--out", str(pkg)], check=True,
                       capture_output=True)
    sub = work / "submission.yaml"
    sub.write_text(submission(), encoding="utf-8")
    return pkg, sub


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--work", type=Path, default=None, help="where to keep the generated package")
    p.add_argument("--prepare-only", action="store_true", help="generate and print the command, time nothing")
    args = p.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="conflictdata-bench-proposals-"))
    work.mkdir(parents=True, exist_ok=True)
    pkg, sub = prepare(work)
    cmd = [*CLI, "add", "--dry-run", str(sub), "--into", str(pkg)]
    if args.prepare_only:
        print(" ".join(cmd))
        return 0
    walls = [measure(cmd)[0] for _ in range(args.runs)]
    print(f"add --dry-run, {CLAIMS} claims, 10,000 events: median {statistics.median(walls):.2f} s "
          f"(min {min(walls):.2f}, max {max(walls):.2f}, {args.runs} runs)")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
