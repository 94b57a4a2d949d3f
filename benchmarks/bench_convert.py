"""How much slower is the converted SNN than its ANN? `sim_time_ratio` = SNN wall time / ANN wall time per batch.

Builds `AnnViT(Arch(D, L, r, h))` for 16x16 digits (1 channel, 10 classes), optionally trains it for `--epochs`
epochs with the package's `cpu` recipe (the simulation's cost does not depend on the weights, only on the shapes:
every neuron is encoded whatever its value), folds BatchNorm, converts it with `spiked_attention` (T, base,
calibration on 512 training images) and times, on one batch of `--batch` test images in the same process:

- the folded ANN's forward (`torch.no_grad`),
- the SNN's forward (`snn(x)`), and the SNN's forward with recording (`snn(x, record=True)`: spike times, counts
  and decoded activations of every stage, what the energy model and the scatter plots read).

Calls are interleaved (ANN, SNN, SNN-record, repeated `--repeats` times after `--warmup` untimed rounds) so that
load from other processes hits all three alike; the ratio uses medians. Prints a Markdown table and writes JSON.

    python benchmarks/bench_convert.py [--embed 64] [--depth 2] [--heads 2] [--epochs 0] [--batch 128]
                                       [--T 40] [--base 1.1] [--repeats 15] [--threads 0]
                                       [--out benchmarks/results/convert.json]
"""
import argparse, json, os, platform, statistics, time, warnings
from dataclasses import replace
from pathlib import Path
import torch
from autost_nb.space import Arch
from autost_nb.data import load_dataset
from autost_nb.train import train, RECIPES, seed_everything
from autost_nb.convert import AnnViT, fold_batchnorm, spiked_attention

def main(embed=64, depth=2, ratio=4, heads=2, epochs=0, batch=128, T=40, base=1.1, repeats=15, warmup=3, seed=0,
         threads=0, out="benchmarks/results/convert.json"):
    if threads: torch.set_num_threads(threads)
    data = load_dataset("digits", img_size=16)
    arch = Arch(embed, depth, ratio, heads)
    seed_everything(seed)
    ann = AnnViT(arch)
    if epochs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            train(ann, data, replace(RECIPES["cpu"], epochs=epochs, device="cpu"), progress=False)
    else:                                   # untrained: give BatchNorm the statistics of real data
        ann.train()
        with torch.no_grad():
            for xb in data.x_train[:1024].split(128): ann(xb)
    folded = fold_batchnorm(ann)
    snn = spiked_attention(folded, list(data.x_train[:512].split(256)), T=T, base=base)
    x = data.x_test[:batch]
    fns = {"ann": lambda: folded(x), "snn": lambda: snn(x), "snn_record": lambda: snn(x, record=True)}
    times = {k: [] for k in fns}
    with torch.no_grad():
        for r in range(warmup + repeats):
            for k, fn in fns.items():
                t0 = time.perf_counter(); fn(); dt = time.perf_counter() - t0
                if r >= warmup: times[k].append(dt)
    med = {k: statistics.median(v) for k, v in times.items()}
    res = dict(arch=str(arch), epochs=epochs, batch=len(x), T=T, base=base, repeats=repeats,
               median_s=med, sim_time_ratio=med["snn"] / med["ann"], sim_time_ratio_record=med["snn_record"] / med["ann"],
               times_s=times, torch=torch.__version__, threads=torch.get_num_threads(),
               machine=f"{platform.machine()} {platform.processor() or ''}".strip(), cpus=os.cpu_count())
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(res, indent=2) + "\n")
    print(f"{arch}, 16x16 digits, batch {len(x)}, T={T}, base={base}, {torch.get_num_threads()} threads, "
          f"median of {repeats}\n")
    print("| forward | ms per batch | / ANN |\n|---|---:|---:|")
    for k in fns: print(f"| {k} | {med[k] * 1e3:.1f} | {med[k] / med['ann']:.2f} |")
    print(f"\nsim_time_ratio = {res['sim_time_ratio']:.2f} (with recording: {res['sim_time_ratio_record']:.2f})")
    return res

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--embed", type=int, default=64); p.add_argument("--depth", type=int, default=2)
    p.add_argument("--ratio", type=float, default=4); p.add_argument("--heads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=0); p.add_argument("--batch", type=int, default=128)
    p.add_argument("--T", type=int, default=40); p.add_argument("--base", type=float, default=1.1)
    p.add_argument("--repeats", type=int, default=15); p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--seed", type=int, default=0); p.add_argument("--out", default="benchmarks/results/convert.json")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    a = p.parse_args()
    main(a.embed, a.depth, a.ratio, a.heads, a.epochs, a.batch, a.T, a.base, a.repeats, a.warmup, a.seed, a.threads, a.out)
