"""How long does the default `dvc repro` take from empty caches, stage by stage?

Clones this repository (its committed state) into a temporary folder, fetches `data/` from the repository's own DVC
remote (`dvc pull`, offline), deletes every cached training record under `results/runs/` so that every network is
trained again, and runs `dvc repro -f` there. Reports the wall time of the whole command and of each stage (the
notebook execution time papermill records in `results/notebooks/STAGE.ipynb`, which includes the stage's trainings;
kernel start-up, a few seconds per stage, is in the total only), and whether every metrics file came out identical
to the committed one (keys that are wall-clock times are ignored: they differ from run to run by nature).

    python benchmarks/bench_pipeline.py [--keep] [--out benchmarks/results/pipeline.json]

`--finished START END` records a cold run made in this working tree instead (every record under `results/runs/`
deleted, then `dvc repro -f`, started and ended at the given Unix times): the stage times come from the executed
notebooks here, and the metrics are then the committed ones by construction, so they are not compared.

Run it on a quiet machine: it takes as long as the pipeline (README gives the measured time). The stages' own
`n_jobs` (params.yaml) decide how many trainings run at once. The package must be installed (`pip install -e .`);
the clone runs the installed `autost-stage`, so install from the same commit you benchmark.
"""
import argparse, json, os, platform, shutil, subprocess, tempfile, time
from pathlib import Path

from autost_nb.pipeline import STAGES

ROOT = Path(__file__).resolve().parents[1]
VOLATILE = {"seconds", "seconds_median", "sim_time_ratio", "train_seconds", "ann_train_seconds"}

def strip(x):
    "A metrics object without its wall-clock entries."
    if isinstance(x, dict): return {k: strip(v) for k, v in x.items() if k not in VOLATILE}
    if isinstance(x, list): return [strip(v) for v in x]
    return x

def stage_seconds(repo):
    "Each stage's notebook time, as papermill recorded it in `repo/results/notebooks/STAGE.ipynb`."
    return {s: round(json.loads((repo / "results/notebooks" / f"{s}.ipynb").read_text())["metadata"]["papermill"]["duration"], 1)
            for s in STAGES}

def print_table(per_stage, total):
    print("| stage | seconds |\n|---|---:|")
    for s, v in per_stage.items(): print(f"| {s} | {v:.0f} |")
    print(f"| whole `dvc repro -f` (kernel start-ups included) | {total:.0f} |")

def main(keep=False, out="benchmarks/results/pipeline.json"):
    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-")) / "repo"
    def sh(cmd):
        r = subprocess.run(cmd, cwd=work, shell=True, capture_output=True, text=True)
        if r.returncode: raise SystemExit(f"`{cmd}` failed in {work} (exit {r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
        return r
    try:
        subprocess.run(["git", "clone", "-q", str(ROOT), str(work)], check=True)
        commit = sh("git rev-parse --short HEAD").stdout.strip()
        sh("dvc pull -q")
        n_records = 0
        for p in (work / "results/runs").glob("*/*.json"): p.unlink(); n_records += 1
        t0 = time.perf_counter()
        sh("dvc repro -f")
        total = time.perf_counter() - t0
        per_stage = stage_seconds(work)
        differ = []
        for p in sorted((ROOT / "results/metrics").glob("*.json")):
            new = work / "results/metrics" / p.name
            if strip(json.loads(p.read_text())) != strip(json.loads(new.read_text())): differ.append(p.name)
        report_identical = (ROOT / "results/REPORT.md").read_text() == (work / "results/REPORT.md").read_text()
    finally:
        if not keep and 'total' in locals(): shutil.rmtree(work.parent, ignore_errors=True)
    res = {"commit": commit, "records_deleted": n_records, "total_seconds": round(total, 1), "stage_seconds": per_stage,
           "metrics_differing_from_committed": differ, "report_identical": report_identical,
           "cpus": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version()}
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(res, indent=2) + "\n")
    print_table(per_stage, total)
    print(f"metrics differing from the committed ones (wall-clock keys ignored): {differ or 'none'}; REPORT.md identical: {report_identical}")
    return res

def record_finished(start, end, out="benchmarks/results/pipeline.json"):
    "Write the measurement of a cold `dvc repro -f` that ran in this working tree from `start` to `end` (Unix seconds)."
    per_stage = stage_seconds(ROOT)
    commit = subprocess.run("git rev-parse --short HEAD", cwd=ROOT, shell=True, capture_output=True, text=True).stdout.strip()
    res = {"commit": commit, "how": "dvc repro -f in the working tree after deleting every training record",
           "total_seconds": round(end - start, 1), "stage_seconds": per_stage, "cpus": os.cpu_count(),
           "machine": platform.machine(), "python": platform.python_version()}
    Path(out).write_text(json.dumps(res, indent=2) + "\n")
    print_table(per_stage, end - start)
    return res

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", action="store_true", help="keep the temporary clone (its path is printed on failure)")
    ap.add_argument("--out", default="benchmarks/results/pipeline.json")
    ap.add_argument("--finished", nargs=2, type=float, metavar=("START", "END"),
                    help="record a cold run already made in this working tree between these Unix times")
    a = ap.parse_args()
    if a.finished: record_finished(*a.finished, out=a.out)
    else: main(a.keep, a.out)
