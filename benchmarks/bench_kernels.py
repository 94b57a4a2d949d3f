"""Pinned CPU kernels: do they reproduce the committed records here, and what do they cost? One run, fresh processes.

Each setting is a set of environment variables applied before torch is imported (a fresh Python process per setting,
the only way they take effect). `pinned` is what every autost_nb process uses by default (`autost_nb.PINNED_KERNELS`);
`native` is `AUTOST_CPU_KERNELS=native` (torch's own dispatch for this CPU).

1. Reproduction: the `--n-records` shortest committed training records (`results/runs/*/*.json`) are retrained under
   each setting and compared with the committed JSON, every field but the wall time (the pipeline's own test does the
   same for two records, pinned only).
2. Cost: median seconds of one AdamW training step (forward + backward + update) of D64-L2 at 16x16, T=4, batch 32,
   one thread, over `--steps` steps after `--warmup` untimed ones; settings alternate over `--rounds` rounds so a change
   in machine load affects both alike; the ratio is pinned / native.

    python benchmarks/bench_kernels.py [--n-records 2] [--steps 30] [--warmup 5] [--rounds 3] [--out benchmarks/results/kernels.json]
"""
import argparse, json, os, platform, statistics, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"native": {"AUTOST_CPU_KERNELS": "native"}, "pinned": {}}

STEP = r"""
import json, statistics, sys, time
import autost_nb, torch
from autost_nb.space import Arch
from autost_nb.model import SpikingTransformer
torch.set_num_threads(1); torch.manual_seed(0)
steps, warmup = int(sys.argv[1]), int(sys.argv[2])
m = SpikingTransformer(Arch(64, 2, 4, 2), img_size=16, in_channels=1, num_classes=10, T=4)
opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
x, y = torch.rand(32, 1, 16, 16) * 2, torch.randint(0, 10, (32,))
times = []
for i in range(steps + warmup):
    t0 = time.perf_counter()
    opt.zero_grad(); torch.nn.functional.cross_entropy(m(x), y).backward(); opt.step()
    if i >= warmup: times.append(time.perf_counter() - t0)
print(json.dumps({"median_s": statistics.median(times), "setting": autost_nb.cpu_kernel_setting()}))
"""

RETRAIN = r"""
import json, sys, tempfile
from pathlib import Path
import autost_nb, torch
from autost_nb.space import Arch
from autost_nb.pipeline import train_cached, dataset_for
out = {}
for f in sys.argv[2:]:
    rec = json.loads(Path(f).read_text())
    torch.set_num_threads(rec["cpu_kernels"]["threads"])
    with tempfile.TemporaryDirectory() as d:
        new, _ = train_cached(Arch.from_genome(rec["genome"]), rec["seed"], dataset_for(rec["settings"], sys.argv[1]),
                              rec["settings"], d, measure_energy="energy_mj_trained" in rec)
    out[Path(f).name] = {"identical": all(new.get(k) == rec.get(k) for k in set(rec) | set(new) if k not in ("seconds", "cpu_kernels")),
                         "test_acc_committed": rec["test_acc"], "test_acc_here": new["test_acc"]}
print(json.dumps({"setting": autost_nb.cpu_kernel_setting(), "records": out}))
"""

def run(code, env_extra, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOST_CPU_KERNELS", "ATEN_CPU_CAPABILITY", "DNNL_MAX_CPU_ISA", "MKL_CBWR")}
    r = subprocess.run([sys.executable, "-c", code, *map(str, args)], env=env | env_extra, cwd=ROOT, capture_output=True, text=True)
    if r.returncode: raise SystemExit(r.stderr[-3000:])
    return json.loads(r.stdout.strip().splitlines()[-1])

def main(n_records=2, steps=30, warmup=5, rounds=3, out="benchmarks/results/kernels.json"):
    recs = sorted((json.loads(p.read_text())["seconds"], p) for p in (ROOT / "results/runs").glob("*/*.json"))[:n_records]
    repro = {k: run(RETRAIN, env, ROOT / "data", *(p for _, p in recs)) for k, env in SETTINGS.items()}
    per = {k: [] for k in SETTINGS}; seen = {}
    for _ in range(rounds):
        for k, env in SETTINGS.items():
            r = run(STEP, env, steps, warmup); per[k].append(r["median_s"]); seen[k] = r["setting"]
    med = {k: statistics.median(v) for k, v in per.items()}
    res = dict(reproduction=repro, steps=steps, warmup=warmup, rounds=rounds,
               model="D64-L2-r4-h2, 16x16x1, T=4, batch 32, 1 thread", median_step_s=med, per_round_s=per,
               ratio_pinned_over_native=med["pinned"] / med["native"], settings=seen,
               machine=f"{platform.machine()} {platform.processor() or ''}".strip(), cpus=os.cpu_count())
    Path(out).parent.mkdir(parents=True, exist_ok=True); Path(out).write_text(json.dumps(res, indent=2) + "\n")
    print("| setting | ATen capability | committed records reproduced | median s / training step |\n|---|---|---|---:|")
    for k in SETTINGS:
        rr = repro[k]["records"]
        print(f"| {k} | {seen[k]['capability']} | {sum(r['identical'] for r in rr.values())} of {len(rr)} | {med[k]:.4f} |")
    print(f"\npinned / native step time: {res['ratio_pinned_over_native']:.2f}x ({rounds} rounds of {steps} steps, medians)")

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n-records", type=int, default=2); p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5); p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", default="benchmarks/results/kernels.json")
    a = p.parse_args(); main(a.n_records, a.steps, a.warmup, a.rounds, a.out)
