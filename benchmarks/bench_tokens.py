"""Cost of one training step at the paper's token count (N = 64, 32x32 input) against the cpu preset's (N = 16, 16x16).

    python benchmarks/bench_tokens.py   # one thread, median of 7 steps after 2 warm-up steps, for three genomes
"""
import autost_nb  # first: pins the CPU kernels
import json, statistics, time
from pathlib import Path
import torch
from autost_nb.space import Arch
from autost_nb.model import SpikingTransformer
torch.set_num_threads(1)
out = {}
for arch in (Arch(64, 2, (3, 2), (2, 4)), Arch(96, 2, (2, 2), (4, 2)), Arch(64, 4, (2, 3, 4, 2), (2, 2, 4, 4))):
    row = {}
    for img in (16, 32):
        torch.manual_seed(0)
        m = SpikingTransformer(arch, img_size=img, in_channels=1, num_classes=10, T=4, lif_placement="pre")
        opt = torch.optim.AdamW(m.parameters(), 1e-3)
        x, y = torch.rand(32, 1, img, img), torch.randint(0, 10, (32,))
        ts = []
        for i in range(9):
            t0 = time.perf_counter(); loss = torch.nn.functional.cross_entropy(m(x), y)
            opt.zero_grad(); loss.backward(); opt.step(); ts.append(time.perf_counter() - t0)
        row[f"step_s_{img}"] = round(statistics.median(ts[2:]), 4)
    row["ratio_32_over_16"] = round(row["step_s_32"] / row["step_s_16"], 2)
    out[str(arch)] = row; print(arch, row)
Path("benchmarks/results/tokens.json").write_text(json.dumps(out, indent=1) + "\n")
