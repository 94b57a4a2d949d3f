"""What made a training step cheaper: the LIF as one autograd node per window, and MKL's AVX2 branch instead of COMPATIBLE.

Times one training step, and one of its matrix products (2048×64 · 64×64), (forward, backward, AdamW) of the profile model of issue 14 — D64-L2, 16×16 digits-sized
input, T = 4, batch 32, one torch thread — under four settings, each in its own fresh Python process (the MKL branch is
read once, at load), in alternating rounds so that drift of a noisy machine hits all settings alike:

- `before`: the neuron stepped through time with autograd (as `autost_nb` did before `LIFWindow`), `MKL_CBWR=COMPATIBLE`;
- `fused LIF`: `LIFWindow`, `MKL_CBWR=COMPATIBLE`;
- `MKL AVX2`: step-by-step neuron, `MKL_CBWR=AVX2`;
- `now`: `LIFWindow` and `MKL_CBWR=AVX2` (the package's defaults).

The step-by-step neuron is the oracle of `nbs/01_neurons.ipynb`, which gives the same spikes and gradients.

    python benchmarks/bench_train_step.py [--rounds 5] [--steps 20] [--out benchmarks/results/train_step.json]
"""
import argparse, json, os, platform, statistics, subprocess, sys
from pathlib import Path

SETTINGS = {"before": (False, "COMPATIBLE"), "fused LIF": (True, "COMPATIBLE"), "MKL AVX2": (False, "AVX2"), "now": (True, "AVX2")}

WORKER = r'''
import json, sys, time
import autost_nb, torch
from torch import nn
from autost_nb.space import Arch
from autost_nb.model import SpikingTransformer
from autost_nb.neurons import MultiStepLIF, sigmoid_surrogate
torch.set_num_threads(1)
fused, steps = sys.argv[1] == "1", int(sys.argv[2])
def step_by_step(self, x):
    v, spikes = torch.full_like(x[0], self.v_reset), []
    for x_t in x:
        h = v + (x_t - (v - self.v_reset)) / self.tau
        s = sigmoid_surrogate(self.alpha)(h - float(self.threshold))
        r = s.detach() if self.detach_reset else s
        v = h * (1 - r) + self.v_reset * r
        spikes.append(s)
    self.mem = v
    return torch.stack(spikes)
if not fused: MultiStepLIF.forward = step_by_step
torch.manual_seed(0)
m = SpikingTransformer(Arch(64, 2, (4, 4), (4, 4)), img_size=16, in_channels=1, num_classes=10, T=4)
opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
x, y = torch.randn(32, 1, 16, 16), torch.randint(0, 10, (32,))
crit = nn.CrossEntropyLoss(label_smoothing=0.1)
def step():
    loss = crit(m(x), y); opt.zero_grad(); loss.backward(); opt.step()
for _ in range(3): step()
ts = []
for _ in range(steps):
    t0 = time.perf_counter(); step(); ts.append(time.perf_counter() - t0)
a, w, mm = torch.randn(2048, 64), torch.randn(64, 64), []      # one of the step's matrix products (tokens x D . D x D)
for _ in range(5): a @ w
for _ in range(50):
    t0 = time.perf_counter(); a @ w; mm.append(time.perf_counter() - t0)
print(json.dumps({"median_s": sorted(ts)[len(ts) // 2], "matmul_median_s": sorted(mm)[len(mm) // 2],
                  "setting": autost_nb.cpu_kernel_setting(), "cpu": autost_nb.cpu_model()}))
'''

def run(fused, mkl, steps):
    env = {k: v for k, v in os.environ.items() if k != "AUTOST_CPU_KERNELS"} | {"MKL_CBWR": mkl}
    out = subprocess.run([sys.executable, "-c", WORKER, "1" if fused else "0", str(steps)], env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])

def main(rounds=5, steps=20, out="benchmarks/results/train_step.json"):
    times, mm, info = {k: [] for k in SETTINGS}, {k: [] for k in SETTINGS}, {}
    for r in range(rounds):
        for name, (fused, mkl) in SETTINGS.items():
            res = run(fused, mkl, steps); times[name].append(res["median_s"]); mm[name].append(res["matmul_median_s"]); info = res
            print(f"round {r + 1}/{rounds} {name:>10}: {res['median_s'] * 1000:.1f} ms", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    res = {"model": "D64-L2 (mlp 4, heads 4), 16x16, 1 channel, T=4, batch 32, one thread", "rounds": rounds,
           "steps_per_round": steps, "median_step_s": med, "round_medians_s": times,
           "speedup_over_before": {k: med["before"] / v for k, v in med.items()},
           "matmul_2048x64x64_median_s": {k: statistics.median(v) for k, v in mm.items()},
           "cpu": info["cpu"], "cpus": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version()}
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(res, indent=2) + "\n")
    for k, v in med.items(): print(f"{k:>10}: {v * 1000:.1f} ms per step, {med['before'] / v:.2f}x the 'before' speed")

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5); p.add_argument("--steps", type=int, default=20)
    p.add_argument("--out", default="benchmarks/results/train_step.json")
    a = p.parse_args(); main(a.rounds, a.steps, a.out)
