"""The DVC pipeline from a fresh clone: offline data, committed results up to date, stages repeatable, bad params refused."""
import shutil, subprocess
from pathlib import Path
import pytest, yaml

ROOT = Path(__file__).resolve().parents[1]

def sh(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, shell=True, check=True, capture_output=True, text=True).stdout

@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    "A fresh clone of the committed tree (HEAD), with data/ pulled from the DVC remote inside the repository."
    d = tmp_path_factory.mktemp("clone") / "repo"
    sh(f"git clone -q {ROOT} {d}", ROOT)
    sh("dvc pull -q", d)
    return d

def test_data_comes_from_the_in_repo_remote_offline(clone):
    assert sh("git ls-files data", clone).strip() == ""          # not in git: DVC brought it
    assert "expected folder" in (clone / "data" / "README.md").read_text()

def test_committed_results_match_committed_code_and_params(clone):
    out = sh("dvc status", clone)
    assert "up to date" in out, f"dvc status in a fresh clone is not clean:\n{out}"

def test_search_space_stage_reruns_to_identical_metrics(clone):
    committed = (clone / "results/metrics/search_space.json").read_text()
    sh("dvc repro -f -q search_space", clone)
    assert (clone / "results/metrics/search_space.json").read_text() == committed

def test_bad_param_stops_the_stage_naming_the_key(clone, tmp_path):
    work = tmp_path / "w"; shutil.copytree(clone, work, ignore=shutil.ignore_patterns(".venv"))
    p = yaml.safe_load((work / "params.yaml").read_text())
    p["train_baseline"]["cpu"]["epochs"] = -1
    (work / "params.yaml").write_text(yaml.safe_dump(p))
    r = subprocess.run("autost-stage train_baseline", cwd=work, shell=True, capture_output=True, text=True)
    assert r.returncode != 0 and "train_baseline.cpu.epochs must be an integer >= 0, got -1" in r.stderr
    p["train_baseline"]["cpu"]["epochs"] = 1; p["train_baseline"]["cpu"]["dataset"] = "mnist"
    (work / "params.yaml").write_text(yaml.safe_dump(p))
    r = subprocess.run("autost-stage train_baseline", cwd=work, shell=True, capture_output=True, text=True)
    assert r.returncode != 0 and "train_baseline.cpu.dataset must be one of digits" in r.stderr

def test_text_stage_without_sst2_files_stops_before_any_work(clone, tmp_path):
    "`convert_text` on SST-2 with no data/SST-2: refused at once, naming the key and the missing file; no output written."
    work = tmp_path / "w3"; shutil.copytree(clone, work, ignore=shutil.ignore_patterns(".venv"))
    p = yaml.safe_load((work / "params.yaml").read_text())
    p["convert_text"]["cpu"]["dataset"] = "sst2"
    (work / "params.yaml").write_text(yaml.safe_dump(p))
    before = (work / "results/metrics/conversion_text.json").read_text()
    r = subprocess.run("autost-stage convert_text", cwd=work, shell=True, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "convert_text.dataset is 'sst2', but its files are missing" in r.stderr
    assert "SST-2/train.tsv" in r.stderr
    assert (work / "results/metrics/conversion_text.json").read_text() == before

def test_changing_one_stage_param_dirties_only_that_stage(clone, tmp_path):
    work = tmp_path / "w2"; shutil.copytree(clone, work)
    p = yaml.safe_load((work / "params.yaml").read_text())
    p["search_space"]["cpu"]["n_samples"] += 1
    (work / "params.yaml").write_text(yaml.safe_dump(p, sort_keys=False))
    out = sh("dvc status", work)
    assert "search_space:" in out and "train_baseline:" not in out, out

def test_stage_notebooks_keep_their_papermill_parameters_cell():
    from autost_nb.pipeline import STAGES, check_parameters_cell
    for nb, _ in STAGES.values(): check_parameters_cell(ROOT / "nbs" / nb)

def test_dvc_stages_match_the_stage_runner():
    "Every stage the runner knows is in dvc.yaml with its command, its params section and every output it publishes."
    from autost_nb.pipeline import STAGES
    dvc = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    assert set(dvc) == set(STAGES)
    for stage, (nb, outs) in STAGES.items():
        s = dvc[stage]
        assert s["cmd"] == f"autost-stage {stage}" and f"nbs/{nb}" in s["deps"] and {"preset", stage} <= set(s["params"])
        declared = {next(iter(o)) if isinstance(o, dict) else o for o in s.get("outs", []) + s.get("metrics", []) + s.get("plots", [])}
        assert {f"results/{o}" for o in outs} | {f"results/notebooks/{stage}.ipynb"} <= declared, stage

def test_correlation_stage_reuses_its_committed_runs(clone, tmp_path):
    "Re-running the correlation stage trains nothing (every run is cached) and reproduces the committed FLOPs correlation."
    import json
    work = tmp_path / "w3"; shutil.copytree(clone, work)
    runs = sorted(p.name for p in (work / "results/runs/correlation").iterdir())
    committed = json.loads((work / "results/metrics/correlation.json").read_text())
    p = yaml.safe_load((work / "params.yaml").read_text())
    p["correlation"]["cpu"]["scorers"] = ["flops", "params"]           # skip the slow scorers; training is what is cached
    (work / "params.yaml").write_text(yaml.safe_dump(p, sort_keys=False))
    sh("autost-stage correlation", work)
    new = json.loads((work / "results/metrics/correlation.json").read_text())
    assert sorted(p.name for p in (work / "results/runs/correlation").iterdir()) == runs
    for k in ("flops", "params"):
        assert new["scorers"][k] == committed["scorers"][k], k
    assert new["accuracy"] == committed["accuracy"] and new["n_archs"] == committed["n_archs"] >= 30

def test_dry_run_checks_every_stage_without_running(clone):
    "autost-check: the default preset is ready in a fresh clone; the paper preset names the missing CIFAR folder."
    before = sh("git status --porcelain", clone)                       # the shared clone may hold other tests' runs
    r = subprocess.run("autost-check", cwd=clone, shell=True, capture_output=True, text=True)
    assert r.returncode == 0 and "stages ready" in r.stdout, r.stderr
    r = subprocess.run("autost-check --preset paper", cwd=clone, shell=True, capture_output=True, text=True)
    assert r.returncode == 1 and "data/cifar-10-batches-py" in r.stderr and "train_baseline:" in r.stderr, r.stderr
    assert sh("git status --porcelain", clone) == before              # nothing written

def test_every_params_key_refuses_a_wrong_type_naming_itself():
    "Robustness sweep: every key of every stage, in both presets, set to a value of the wrong type, is refused by name."
    import copy, re
    from autost_nb.pipeline import SCHEMAS, stage_params
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    checked = 0
    for stage in SCHEMAS:
        for preset in ("cpu", "paper"):
            assert stage_params({**params, "preset": preset}, stage) is not None      # the committed values pass
            for key, value in params[stage][preset].items():
                wrong = [{"a": "mapping"}] + ([] if isinstance(value, str) else ["a string"]) + ([] if isinstance(value, list) else [[value]])
                for bad in wrong:
                    p = copy.deepcopy(params); p["preset"] = preset; p[stage][preset][key] = bad
                    with pytest.raises(ValueError, match=re.escape(f"{stage}.{preset}.{key} must be")):
                        stage_params(p, stage)
                    checked += 1
    assert checked > 200

def test_every_numeric_params_key_refuses_an_out_of_range_value():
    "Robustness sweep: every bounded numeric key refuses a value below its bound, by name and with the allowed range."
    import copy, re
    from autost_nb.pipeline import SCHEMAS, stage_params
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    checked = 0
    for stage, schema in SCHEMAS.items():
        for key, (ok, allowed) in schema.items():
            value = params[stage]["cpu"][key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or ok(-1): continue   # unbounded: any number is in range
            p = copy.deepcopy(params); p[stage]["cpu"][key] = -1
            with pytest.raises(ValueError, match=re.escape(f"{stage}.cpu.{key} must be {allowed}, got -1")):
                stage_params(p, stage)
            checked += 1
    assert checked > 50

def test_interrupted_repro_then_repro_gives_the_committed_metrics(clone, tmp_path):
    """Robustness sweep: Ctrl-C in the middle of a stage, then `dvc repro` again: same metrics as an uninterrupted run.
    The stage waits at a barrier inside its running notebook (AUTOST_STAGE_BARRIER, see nbs/07_pipeline.ipynb), so the
    signal lands mid-stage on a fast or a slow CPU alike: no guessed delay."""
    import os, signal, time
    work = tmp_path / "w4"; shutil.copytree(clone, work)
    metrics, executed = work / "results/metrics/search_space.json", work / "results/notebooks/search_space.ipynb"
    committed = metrics.read_text()
    barrier = tmp_path / "barrier"; reached = Path(f"{barrier}.reached")
    log = tmp_path / "repro.log"        # a file, not a pipe: nobody reads a pipe while we wait, and a full one blocks the writer
    proc = subprocess.Popen("dvc repro -f search_space", cwd=work, shell=True, start_new_session=True,
                            env={**os.environ, "AUTOST_STAGE_BARRIER": str(barrier)},
                            stdout=log.open("w"), stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 600
    while not reached.exists():                            # the kernel is running the notebook, old outputs removed
        if proc.poll() is not None: pytest.fail("the stage ended before its barrier:\n" + log.read_text())
        assert time.time() < deadline, "the stage did not reach its barrier in 10 minutes"
        time.sleep(0.1)
    assert not metrics.exists() and not executed.exists() and proc.poll() is None
    # Ctrl-C; if the stage is still running after a minute, Ctrl-C again, then SIGTERM, as a user would. Right after
    # nbdev-test in CI a single SIGINT has twice left `dvc repro` waiting (never in isolation, 0 of 6): an open problem,
    # recorded in the output; what this test guards is that an interrupted stage leaves nothing half-written.
    for sig in (signal.SIGINT, signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        os.killpg(proc.pid, sig)
        try: proc.wait(timeout=60); break
        except subprocess.TimeoutExpired: print(f"stage still running 60 s after {sig.name}:\n{log.read_text()[-2000:]}")
    assert proc.poll() is not None, "the stage survived SIGKILL"
    if sig in (signal.SIGTERM, signal.SIGKILL):     # dvc could not clean up: remove its stale lock, as its message says to
        (work / ".dvc/tmp/rwlock").unlink(missing_ok=True)
    assert not barrier.exists()                            # nothing released the stage: the signal ended it
    assert proc.returncode != 0 and not metrics.exists() and not executed.exists()   # no half-written result
    assert "search_space" in sh("dvc status", work)       # DVC sees the stage as not run
    sh("dvc repro search_space", work)
    assert metrics.read_text() == committed
    assert "up to date" in sh("dvc status", work)
    barrier.touch()                                 # releases a kernel orphaned by a forced stop, if any

RETRAIN = r"""
import json, sys, tempfile
from pathlib import Path
import autost_nb, torch                       # autost_nb first: it pins the CPU kernels before torch loads them
from autost_nb.space import Arch
from autost_nb.pipeline import train_cached, dataset_for
data_root, diffs = sys.argv[1], {}
for f in sys.argv[2:]:
    rec = json.loads(Path(f).read_text())
    torch.set_num_threads(rec["cpu_kernels"]["threads"])
    with tempfile.TemporaryDirectory() as d:
        new, reused = train_cached(Arch.from_genome(rec["genome"]), rec["seed"], dataset_for(rec["settings"], data_root),
                                   rec["settings"], d, measure_energy="energy_mj_trained" in rec)
    assert not reused
    diffs[Path(f).name] = {"fields": sorted(k for k in set(rec) | set(new) if k != "seconds" and rec.get(k) != new.get(k)),
                           "test_acc": [rec["test_acc"], new["test_acc"]], "cpu": [rec.get("cpu"), new.get("cpu")]}
print(json.dumps(diffs))
"""

def test_retraining_committed_records_reproduces_them_bit_for_bit(clone):
    """CPU kernels pinned (nbs/12_cpu_kernels.ipynb): the two shortest committed training records, retrained in a fresh
    process under the pipeline's own settings, equal the committed JSON in every field but the wall time, on a CPU of the
    type that trained them. On another CPU type bit-identity does not hold (measured: Intel Xeon vs AMD EPYC, 0 of 3
    identical, 0.5-3 points apart), so there the retrained accuracy must only land within 6 points of the record."""
    import json, os, sys
    from autost_nb import is_reproducible_setting
    recs = sorted((json.loads(p.read_text())["seconds"], p) for p in (clone / "results/runs").glob("*/*.json"))
    assert len(recs) >= 2
    assert all(is_reproducible_setting(json.loads(p.read_text())["cpu_kernels"]) for _, p in recs)   # every record pinned
    import platform
    if platform.machine() != "x86_64" or " avx2 " not in Path("/proc/cpuinfo").read_text().replace("\n", " "):
        pytest.skip("bit-identity with the committed records needs an x86-64 CPU with AVX2")
    env = {k: v for k, v in os.environ.items() if k not in ("ATEN_CPU_CAPABILITY", "DNNL_MAX_CPU_ISA", "MKL_CBWR")}
    r = subprocess.run([sys.executable, "-c", RETRAIN, str(clone / "data"), *(str(p) for _, p in recs[:2])],
                       cwd=clone, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    diffs = json.loads(r.stdout.strip().splitlines()[-1])
    assert len(diffs) == 2, diffs
    for name, d in diffs.items():
        rec_cpu, here = d["cpu"]
        if rec_cpu == here:                                      # same CPU type: every field equal
            assert d["fields"] == [], (name, d)
        else:                                                    # another CPU type: same run up to the cross-CPU spread
            assert set(d["fields"]) <= {"cpu", "test_acc", "train_acc", "test_acc_curve", "train_acc_curve", "train_loss_curve",
                                        "firing_rate", "energy_mj_trained"}, (name, d)
            assert abs(d["test_acc"][0] - d["test_acc"][1]) <= 0.06, (name, d)

@pytest.mark.parametrize("stage", ["search_space", "search"])
def test_nbdev_test_and_papermill_write_the_same_results(stage, tmp_path):
    "Robustness sweep: a stage notebook run cell by cell by nbdev's test runner and run by papermill (fresh kernel) agree."
    import json
    from nbdev.test import test_nb
    import papermill as pm
    from autost_nb.pipeline import STAGES
    nb_name, outs = STAGES[stage]
    src = json.loads((ROOT / "nbs" / nb_name).read_text())
    a, b = tmp_path / "nbdev", tmp_path / "papermill"
    cell = next(c for c in src["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    text = "".join(cell["source"])
    assert "out_dir = None" in text
    cell["source"] = text.replace("out_dir = None", f"out_dir = {str(a)!r}")      # the smoke defaults, our out_dir
    copy = tmp_path / nb_name; copy.write_text(json.dumps(src))
    ok, _ = test_nb(copy, showerr=True)
    assert ok, f"nbdev's runner failed on {nb_name}"
    pm.execute_notebook(str(ROOT / "nbs" / nb_name), str(tmp_path / "executed.ipynb"), cwd=str(ROOT),
                        parameters={"out_dir": str(b)}, progress_bar=False)
    volatile = {"seconds", "seconds_median"}
    strip = lambda x: ({k: strip(v) for k, v in x.items() if k not in volatile} if isinstance(x, dict)
                       else [strip(v) for v in x] if isinstance(x, list) else x)
    compared = 0
    for o in outs:
        assert (a / o).exists() == (b / o).exists(), o                # the smoke run may skip some (e.g. spaces)
        if not (a / o).exists(): continue
        if o.endswith(".json"):
            assert strip(json.loads((a / o).read_text())) == strip(json.loads((b / o).read_text())), o; compared += 1
        elif o.endswith((".md", ".csv", ".yaml")):
            assert (a / o).read_text() == (b / o).read_text(), o; compared += 1
    assert compared >= 2

def test_dvc_plots_render_every_declared_plot(clone):
    "`dvc plots show` renders each plot dvc.yaml declares, from the committed data (so `dvc plots diff` can compare runs)."
    import json
    dvc = yaml.safe_load((clone / "dvc.yaml").read_text())["stages"]
    declared = {next(iter(p)) for s in dvc.values() for p in s.get("plots", [])}
    assert len(declared) >= 8
    shown = json.loads(sh("dvc plots show --json", clone))
    assert shown.get("errors", []) == [], shown["errors"]
    assert set(shown["data"]) == declared and all(shown["data"][k] for k in declared)
