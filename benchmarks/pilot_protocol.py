"""How many seeds does the correlation stage need? Reliability of the seed-mean accuracy ranking from run records.

Reads the correlation stage's run records (one JSON per architecture and seed) from a folder, and reports the mean
pairwise rank correlation between seeds, the Spearman-Brown reliability of the k-seed mean for k = 1..8, and the
fewest seeds reaching 0.9 (`autost_nb.stats`), after every epoch where records hold a learning curve.

    python benchmarks/pilot_protocol.py results/runs/correlation [--out benchmarks/results/protocol.json]

The protocol of the `cpu` preset (4 seeds) was chosen from the previous protocol's 60 committed records (30
architectures x 2 seeds, same budget; commit b0e56c8): extract them with
`git archive b0e56c8 results/runs/correlation | tar -x -C /tmp/old` and run this script on that folder.
"""
import autost_nb  # pins the CPU kernels (not needed here, but keeps imports uniform)
import argparse, json, math
from collections import defaultdict
from pathlib import Path
import numpy as np
from autost_nb.stats import seed_reliability, spearman_brown, seeds_for_reliability, _to_pearson

p = argparse.ArgumentParser()
p.add_argument("folder")
p.add_argument("--out", default=None)
a = p.parse_args()
recs = [json.loads(f.read_text()) for f in sorted(Path(a.folder).glob("*.json"))]
by = defaultdict(dict)
for r in recs: by[r["arch"]][r["seed"]] = r
seeds = sorted({s for d in by.values() for s in d})
archs = sorted(x for x, d in by.items() if all(s in d for s in seeds))
curves = all("test_acc_curve" in by[x][s] for x in archs for s in seeds)
n_ep = len(by[archs[0]][seeds[0]]["test_acc_curve"]) if curves else 1
out = {"folder": a.folder, "n_archs": len(archs), "seeds": seeds, "per_epoch": []}
print(f"{len(archs)} architectures x {len(seeds)} seeds ({len(recs)} records)")
for e in range(n_ep):
    acc = np.array([[by[x][s]["test_acc_curve"][e] if curves else by[x][s]["test_acc"] for s in seeds] for x in archs])
    row = {"epoch": e + 1 if curves else None, "mean_acc": round(float(acc.mean()), 4)}
    for st in ("kendall", "spearman"):
        rel = seed_reliability(acc, st, n_resamples=500)
        r1 = _to_pearson(rel["pairwise"], st)
        row[st] = {"pairwise": round(rel["pairwise"], 3), "reliability_now": round(rel["reliability"], 3),
                   "reliability_of_k_seeds": {k: round(spearman_brown(r1, k), 3) for k in range(1, 9)},
                   "seeds_for_0.9": seeds_for_reliability(rel["pairwise"], 0.9, st) if rel["pairwise"] > 0 else None}
    out["per_epoch"].append(row); print(json.dumps(row))
if a.out: Path(a.out).write_text(json.dumps(out, indent=1) + "\n")
