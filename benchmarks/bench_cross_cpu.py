"""Do records trained on one CPU type reproduce on this one? Retrains the N shortest records of a folder (kernels pinned,
same code) and compares the final test accuracy and loss curve bit for bit.

    git show <commit>:results/runs/correlation/<file> > records/<file>   # records made on another machine
    python benchmarks/bench_cross_cpu.py 3 records/

Measured (benchmarks/results/cross_cpu.json): records made on an Intel Xeon, retrained on an AMD EPYC: 0 of 3 identical.
"""
import autost_nb  # pins kernels before torch
import json, glob, sys, torch
from autost_nb.pipeline import code_hash, TRAIN_CODE, dataset_for
from autost_nb.space import Arch
from autost_nb.model import SpikingTransformer
from autost_nb.train import TrainConfig, train
torch.set_num_threads(1)
recs = sorted((json.load(open(f)) for f in glob.glob(sys.argv[2] + "/*.json")), key=lambda r: r["seconds"])[:int(sys.argv[1])]
print("code hash now", code_hash(TRAIN_CODE), "| records'", {r["code"] for r in recs})
print("kernels now", autost_nb.cpu_kernel_setting(), "| records'", recs[0]["cpu_kernels"])
for r in recs:
    s = r["settings"]; data = dataset_for(s, "/work/main/data"); a = Arch.from_genome(tuple(r["genome"]))
    torch.manual_seed(r["seed"])
    m = SpikingTransformer(a, img_size=data.img_size, in_channels=data.in_channels, num_classes=data.num_classes, T=s["T"], lif_placement=s["lif_placement"])
    cfg = TrainConfig(epochs=s["epochs"], batch_size=s["batch_size"], lr=s["lr"], min_lr=s["min_lr"], warmup_epochs=s["warmup_epochs"],
                      weight_decay=s["weight_decay"], label_smoothing=s["label_smoothing"], seed=r["seed"], device=s["device"])
    h = train(m, data, cfg, progress=False, eval_every=0)
    same = h[-1]["test_acc"] == r["test_acc"] and [x["train_loss"] for x in h[1:]] == r["train_loss_curve"]
    print(r["arch"], r["seed"], "committed", r["test_acc"], "here", h[-1]["test_acc"], "identical" if same else "DIFFERENT", flush=True)
