"""How long does AutoST's search take at the paper's size, and how good is what it finds?

For each paper space (tiny, small, base; 32x32x3, 10 classes, T=4, the space's parameter band) runs the reference
settings, 20 generations x 50 candidates, with lam = 0 (pure FLOPs: analytic, no energy) and lam = 0.5 (FLOPs minus
0.5 x normalised energy from the calibrated `EnergyModel`), by evolution and by random search with as many scored
candidates. Each configuration is timed `--repeats` times (median reported; every repeat must give the identical
result). The energy calibration is done once per space beforehand and timed separately (it is cached and stored in
checkpoints, so a search pays it once). Prints Markdown tables; `--out` also writes JSON.

    python benchmarks/bench_search.py [--spaces tiny small base] [--repeats 3] [--seed 0] [--threads 1] [--out FILE]
"""
import argparse, json, os, platform, statistics, time
from pathlib import Path
import torch
from autost_nb.space import SPACES
from autost_nb.search import evolution_search, random_search, calibrate_energy, best_in_band

def main(spaces=("tiny", "small", "base"), repeats=3, seed=0, threads=1, out=None):
    calib, rows = {}, []
    for name in spaces:
        t0 = time.perf_counter()
        em = calibrate_energy(name, threads=threads)      # 32x32x3, 10 classes, T=4: the search's geometry
        calib[name] = dict(seconds=time.perf_counter() - t0, archs=em.calib["archs"])
        f_opt, a_opt = best_in_band(name)
        for lam in (0.0, 0.5):
            for method, fn in (("evolution", evolution_search), ("random", random_search)):
                times, results = [], []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    r = fn(name, lam=lam, seed=seed, energy_model=em if lam > 0 else None)
                    times.append(time.perf_counter() - t0); results.append(r)
                assert all(x == results[0] for x in results), f"{name} {method} lam={lam}: repeats differ"
                r = results[0]
                rows.append(dict(space=name, lam=lam, method=method, median_s=statistics.median(times), times=times,
                                 n_scored=r.n_scored, best=str(r.best), params=r.params, flops=r.flops,
                                 flops_of_optimum=r.flops / f_opt, energy_mj=r.energy_mj, score=r.score,
                                 pareto=None if r.pareto is None else len(r.pareto), optimum=str(a_opt)))
    print(f"Search at the paper's size: 20 generations x 50, 32x32x3, T=4, seed {seed}; median of {repeats} "
          f"(torch threads {threads}, {os.cpu_count()} CPUs, {platform.machine()})\n")
    print("| space | lam | method | median s | scored | best | params (M) | GFLOPs | % of FLOPs optimum | energy (mJ) | Pareto front |")
    print("|---|---:|---|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        e = "-" if r["energy_mj"] is None else f"{r['energy_mj']:.3f}"
        print(f"| {r['space']} | {r['lam']:g} | {r['method']} | {r['median_s']:.2f} | {r['n_scored']} | {r['best'].split('-r')[0]} | "
              f"{r['params'] / 1e6:.2f} | {r['flops'] / 1e9:.3f} | {r['flops_of_optimum']:.2%} | {e} | {r['pareto'] or '-'} |")
    print("\nEnergy calibration (once per space, `calibrate_energy`, 2 architectures at 32x32, one image each):\n")
    print("| space | seconds | calibration architectures |\n|---|---:|---|")
    for name, c in calib.items(): print(f"| {name} | {c['seconds']:.1f} | {', '.join(c['archs'])} |")
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(dict(rows=rows, calibration=calib, repeats=repeats, seed=seed, threads=threads,
                                             torch=torch.__version__, cpus=os.cpu_count()), indent=2) + "\n")

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--spaces", nargs="+", default=["tiny", "small", "base"], choices=[s for s in SPACES])
    p.add_argument("--repeats", type=int, default=3); p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch threads for the calibration's forward passes (default 1, "
                   "as calibrate_energy's: on a shared 2-core CPU two threads were measured 30x slower)")
    p.add_argument("--out", default=None, help="also write the results as JSON here")
    a = p.parse_args()
    main(a.spaces, a.repeats, a.seed, a.threads, a.out)
