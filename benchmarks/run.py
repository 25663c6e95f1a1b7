"""Time and measure validate, load, build and the reference validator on synthetic packages.

    python benchmarks/run.py                       # 10k, 100k and 1M rows, 3 runs each
    python benchmarks/run.py --sizes 10000 --runs 1 --quick
    python benchmarks/run.py --sizes 10000000 --tasks validate --runs 1

Every measurement runs in a fresh process (so imports count, as they do for a user) and its
peak memory is that process's maximum resident set size. Packages are generated once per
size into --work (default: a temporary folder) with benchmarks/generate.py. Prints a Markdown
table: median wall time, min-max, peak memory, and how many times slower the reference
validator (frictionless-py) and the CSV floor are than `conflictdata validate`. Half the runs
of `conflictdata validate` are made before the other tasks and half after, so that the ratios
hold on a machine whose speed drifts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

PY = sys.executable
CLI = [PY, "-c", "from conflictdata.cli import main; main()"]
LOAD = """
import sys, time
t = time.perf_counter()
import conflictdata as cd
cd.load("munitions", format="arrow", path=sys.argv[1])
print(time.perf_counter() - t)
"""
READ_PARQUET = """
import sys, time
t = time.perf_counter()
import pyarrow.parquet as pq
pq.read_table(sys.argv[1])
print(time.perf_counter() - t)
"""
FLOOR = """
import sys, pathlib
import pyarrow as pa, pyarrow.csv as pc
for path in sorted(pathlib.Path(sys.argv[1], "data").glob("*.csv")):
    names = path.open(encoding="utf-8").readline().strip().split(",")
    pc.read_csv(path, convert_options=pc.ConvertOptions(column_types={n: pa.string() for n in names}))
"""


def measure(cmd: list[str], expect: tuple[int, ...] = (0,)) -> tuple[float, float, str]:
    """Wall seconds and peak MiB of one fresh process."""
    # Output goes to files, not pipes: a full pipe would stall the child we are timing.
    with tempfile.TemporaryFile("w+") as out_f, tempfile.TemporaryFile("w+") as err_f:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out_f, stderr=err_f, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out_f.seek(0)
        err_f.seek(0)
        out, err = out_f.read(), err_f.read()
    code = os.waitstatus_to_exitcode(status)
    if code not in expect:
        raise SystemExit(f"{' '.join(cmd[:4])}... exited {code}: {err.strip()[-500:]}")
    return wall, usage.ru_maxrss / 1024, out


def _generate(rows: int, out: Path, faults: int = 0) -> None:
    # In a child process: a forked child starts with its parent's memory, so the parent must
    # stay small for the children's peak memory to be theirs.
    subprocess.run([PY, str(HERE / "generate.py"), "--rows", str(rows), "--out", str(out), "--faults", str(faults)],
                   check=True, capture_output=True)


def series(cmd, runs, expect=(0,), before=()):
    """Median, min-max and peak memory of ``runs`` fresh runs (plus the ``before`` samples)."""
    samples = [*before, *[measure(cmd, expect) for _ in range(runs)]]
    walls = [s[0] for s in samples]
    return {"median": statistics.median(walls), "min": min(walls), "max": max(walls),
            "mib": max(s[1] for s in samples), "out": samples[-1][2]}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000,1000000", help="munitions rows, comma-separated")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--tasks", default="validate,faults,load,build,frictionless,floor")
    p.add_argument("--frictionless-runs", type=int, default=1, help="runs of frictionless (slow) per size")
    p.add_argument("--work", type=Path, default=None, help="where to keep generated packages")
    p.add_argument("--quick", action="store_true", help="skip frictionless above 100k rows")
    args = p.parse_args(argv)
    tasks = set(args.tasks.split(","))
    work = args.work or Path(tempfile.mkdtemp(prefix="conflictdata-bench-"))
    rows_out = []
    for size in [int(s) for s in args.sizes.split(",")]:
        pkg = work / f"pkg-{size}"
        if not (pkg / "datapackage.json").exists():
            _generate(size, pkg)
        mb = sum(f.stat().st_size for f in (pkg / "data").glob("*.csv")) / 2**20
        res = {}
        validate = [*CLI, "validate", str(pkg)]
        # Half the runs of validate come before the other tasks and half after, so that a
        # machine that speeds up or slows down meanwhile (a shared one does) moves both sides
        # of the ratios alike.
        early = [measure(validate) for _ in range(args.runs // 2)] if "validate" in tasks else []
        res["validate"] = {}
        if "faults" in tasks:
            bad = work / f"pkg-{size}-faults"
            if not (bad / "datapackage.json").exists():
                _generate(size, bad, faults=1000)
            res["validate, 1,000 faults"] = series([*CLI, "validate", str(bad), "--format", "json"], args.runs,
                                                   expect=(1,))
        if "build" in tasks or "load" in tasks:
            release = work / f"release-{size}"
            res["build"] = series([*CLI, "build", str(pkg), "--out", str(release), "--overwrite"], args.runs)
            parquet = release / "munitions.parquet"
            if "load" in tasks and parquet.exists():
                load = series([PY, "-c", LOAD, str(release)], args.runs)
                raw = series([PY, "-c", READ_PARQUET, str(parquet)], args.runs)
                res["load arrow (munitions, from release)"] = load
                res["pyarrow.parquet.read_table (same file)"] = raw
                load["note"] = f"in-process {float(load['out']):.3f} s vs {float(raw['out']):.3f} s read_table"
        if "frictionless" in tasks and not (args.quick and size > 100_000):
            res["frictionless validate"] = series([PY, "-m", "frictionless", "validate",
                                                   str(pkg / "datapackage.json")], args.frictionless_runs,
                                                  expect=(0, 1))
        if "floor" in tasks:
            res["floor: pyarrow reads the CSVs"] = series([PY, "-c", FLOOR, str(pkg)], args.runs)
        if "validate" in tasks:
            res["validate"] = series(validate, args.runs - len(early), before=early)
        else:
            del res["validate"]
        base = res.get("validate", {}).get("median")
        for task, r in res.items():
            ratio = f"{r['median'] / base:.1f}x" if base else ""
            rows_out.append((f"{size:,} ({mb:.0f} MB)", task, r, ratio))
    print("| rows (CSV size) | task | median s | min–max s | peak MiB | vs validate | note |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for size, task, r, ratio in rows_out:
        print(f"| {size} | {task} | {r['median']:.2f} | {r['min']:.2f}–{r['max']:.2f} | {r['mib']:.0f} | {ratio} | "
              f"{r.get('note', '')} |")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
