"""Integration tests: the install/test command, the README, and the library used the way a user's code uses it."""
import json, re, subprocess, sys
from pathlib import Path
import pytest, torch
from autost_nb.space import ARCHS, Arch, sample_arch
from autost_nb.model import SpikingTransformer, count_params, LIF_PLACEMENTS
from autost_nb.cost import measured_flops

ROOT = Path(__file__).resolve().parents[1]

def readme_test_command():
    "The bash line of README.md's 'Install and test' section."
    sec = (ROOT / "README.md").read_text().split("## Install and test", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)\n```", sec, re.S)
    assert len(blocks) == 1, "README's 'Install and test' section must hold exactly one bash command"
    return blocks[0].strip()

def test_ci_runs_the_readme_test_command_verbatim():
    cmd = readme_test_command()
    assert "pip install torch==2.13.0" in cmd and "scripts/test.sh" in cmd
    assert cmd in (ROOT / ".ci" / "run").read_text().splitlines()

def test_readme_is_rendered_from_the_index_notebook(tmp_path):
    subprocess.run(["bash", str(ROOT / "scripts" / "readme.sh"), str(tmp_path)], check=True)
    assert (tmp_path / "README.md").read_text() == (ROOT / "README.md").read_text(), \
        "README.md is stale: run `bash scripts/readme.sh` after editing nbs/00_index.ipynb"

def _loss(m, seed=0):
    torch.manual_seed(seed)
    return torch.nn.functional.cross_entropy(m(torch.rand(8, 1, 16, 16) * 2), torch.randint(0, 10, (8,)))

@pytest.mark.parametrize("placement", LIF_PLACEMENTS)
def test_surrogate_gradients_reach_every_parameter(placement):
    torch.manual_seed(0)
    m = SpikingTransformer(Arch(32, 2, (2, 3), (2, 4)), img_size=16, in_channels=1, T=2, lif_placement=placement)
    for b in m.blocks: b.attn.attn_lif.threshold.fill_(0.02)  # make the attention neuron fire (see the next test)
    _loss(m).backward()
    missing = [n for n, p in m.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert not missing, f"no gradient reached {missing}"

def test_attention_neuron_is_silent_at_init_so_its_projection_gets_no_gradient():
    # Q, K, V fire at ~3 % at init (BN-normalised input must exceed 2 to cross threshold 1 at tau 2), so
    # Q K^T V * 0.125 stays below the attention neuron's threshold 0.5: it is silent, and the projection's weight
    # and BN scale see an all-zero input. Every other parameter is reached through the surrogate gradient.
    torch.manual_seed(0)
    m = SpikingTransformer(Arch(32, 2, (2, 3), (2, 4)), img_size=16, in_channels=1, T=2)
    attn_out = []
    for b in m.blocks: b.attn.attn_lif.register_forward_hook(lambda mod, i, o: attn_out.append(o.detach()))
    _loss(m).backward()
    assert all(o.sum() == 0 for o in attn_out)
    missing = {n for n, p in m.named_parameters() if not p.grad.abs().sum() > 0}
    assert missing == {f"blocks.{i}.attn.proj.{p}" for i in range(2) for p in ("linear.weight", "bn.weight")}

@pytest.mark.parametrize("name", ["spikformer-4-256", "spikformer-4-384"])
def test_published_counts_on_a_real_cpu_model(name):
    m = SpikingTransformer(name)  # real tensors, not the meta device the notebooks use
    assert count_params(m) == ARCHS[name].n_params()
    assert measured_flops(m)["blocks"] == 2 * ARCHS[name].flops()
    assert count_params(m) // 10_000 == {"spikformer-4-256": 415, "spikformer-4-384": 932}[name]

@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_model_on_cuda_matches_cpu():
    torch.manual_seed(0)
    m = SpikingTransformer(sample_arch("cpu", 0), img_size=16, in_channels=1)
    x = torch.rand(4, 1, 16, 16) * 3
    with torch.no_grad():
        cpu = m.train()(x)
        gpu = m.cuda().train()(x.cuda()).cpu()
    assert gpu.shape == cpu.shape and torch.allclose(gpu, cpu, atol=1e-3)

def test_cost_model_benchmark_agrees_with_built_models(tmp_path):
    out = tmp_path / "bench.json"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_cost_model.py"), "--n-analytic", "300",
                    "--n-built", "2", "--repeats", "1", "--out", str(out)], check=True, cwd=ROOT)
    res = json.loads(out.read_text())
    assert res["n_analytic"] == 300 and res["n_built"] == 2
    assert res["analytic_per_s"] > 0 and res["built_per_s"] > 0

def test_every_exported_function_and_class_is_documented():
    "Docs: every public function, class and method of the package has a docstring (an nn.Module's forward is documented by its class)."
    import importlib, inspect, pkgutil, autost_nb
    missing = []
    for m in pkgutil.iter_modules(autost_nb.__path__):
        if m.name.startswith("_"): continue
        mod = importlib.import_module(f"autost_nb.{m.name}")
        for name, obj in vars(mod).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != mod.__name__: continue
            if not (inspect.isfunction(obj) or inspect.isclass(obj)): continue
            if not (obj.__doc__ or "").strip(): missing.append(f"{m.name}.{name}")
            if inspect.isclass(obj):
                missing += [f"{m.name}.{name}.{k}" for k, v in vars(obj).items() if inspect.isfunction(v) and not k.startswith("_")
                            and k not in ("forward", "extra_repr") and not (v.__doc__ or "").strip()]
    assert not missing, f"undocumented: {missing}"

def test_site_builds_offline_with_every_page_and_no_broken_link(tmp_path):
    "The one command of README builds the static site: one page per notebook, the report, an index; every local link resolves."
    import subprocess
    from autost_nb.site import broken_links, site_pages
    r = subprocess.run(["autost-site", "--root", str(ROOT), "--out", str(tmp_path / "site")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    site = tmp_path / "site"
    pages = {p["page"] for p in site_pages(ROOT)}
    assert {f.name for f in site.glob("*.html")} == pages | {"index.html"}
    assert len(pages) == len(list((ROOT / "nbs").glob("[0-9][0-9]_*.ipynb"))) + 1          # every notebook and REPORT
    assert all(p["executed"] for p in site_pages(ROOT) if p["part"] == "experiments")       # committed results are there
    assert broken_links(site) == []
    assert "Not executed yet" not in (site / "22_correlation.html").read_text()

def test_executed_notebooks_show_no_progress_bar_warning():
    "tqdm.auto renders with ipywidgets in the stage notebooks: no 'IProgress not found' warning reaches a reader."
    nbs = sorted((ROOT / "results/notebooks").glob("*.ipynb"))
    assert nbs
    assert [p.name for p in nbs if "IProgress not found" in p.read_text()] == []
