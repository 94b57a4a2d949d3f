"""Every number a reader sees comes from the run that rendered it.

Three places carry prose a reader takes results from: the stage notebooks (papermill copies their markdown verbatim
into `results/notebooks/`), README.md and `results/REPORT.md`. The rules, checked on decimal numbers (integers are
counts, sizes and equation numbers far more often than results):

- **Stage notebooks: no typed results at all.** A decimal number in a markdown cell must be written in the notebook's
  own code (a paper value or a constant the code uses), in `params.yaml`, or among the paper values of
  `autost_nb.claims` (where the claims and their published numbers live); results are rendered by code cells from the
  metrics just computed, so they cannot go stale when a parameter changes.
- **REPORT.md and the stage notebooks' findings are tied to the metrics they report**: each is exactly what
  `autost_nb.claims` renders from the committed `results/metrics/*.json`, so a typed, edited or stale number (or
  verdict) anywhere in them fails, whatever its value. `test_a_typed_number_in_the_report_is_caught` shows the power:
  every one of many random τ values and percentages inserted into REPORT.md is caught.
- **README.md: every decimal number is found, at the precision shown, among the numbers the runs and benchmarks
  wrote** (`results/metrics`, `results/tables`, `benchmarks/results`), `params.yaml`, or the code (paper values and
  constants in `nbs/` and `autost_nb/`). A percentage may be a fraction written ×100. This pool is large (thousands
  of numbers), so it catches a number no run wrote, not a wrong one that happens to be written somewhere; README
  carries benchmark numbers and points to REPORT.md for every result.
"""
import json, re, shutil, subprocess
from pathlib import Path
import pytest, yaml

ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"(?<![\w.])[−+-]?\d+\.\d+(?:e[−+-]?\d+)?(?![\w.]*\d)")
CODE_NUMBER = re.compile(r"(?<![\w.])\d+\.\d+(?:e[-+]?\d+)?")
VERSION_BEFORE = re.compile(r"(?:arXiv|Python|python|torch|version|v)[ =]*$")   # 'arXiv 2307.00293', 'Python 3.11'

def prose(md:str) -> str:
    "Markdown without code blocks, inline code, math and link targets: the words a reader reads as statements."
    md = re.sub(r"```.*?```", " ", md, flags=re.S)
    md = re.sub(r"`[^`]*`", " ", md)
    md = re.sub(r"\$\$.*?\$\$", " ", md, flags=re.S)
    md = re.sub(r"\$[^$\n]*\$", " ", md)
    return re.sub(r"\]\([^)]*\)", "]", md)

def decimals(text:str) -> list:
    "Decimal numbers in `text` as written (unsigned), versions and identifiers left out."
    return [m[0].lstrip("+-−") for m in NUMBER.finditer(text) if not VERSION_BEFORE.search(text[max(0, m.start() - 12):m.start()])]

def code_numbers(text:str) -> set: return {float(n) for n in CODE_NUMBER.findall(text)}

def json_numbers(x, out:set) -> set:
    if isinstance(x, bool): return out
    if isinstance(x, (int, float)): out.update({float(x), float(x) * 100})
    elif isinstance(x, dict): [json_numbers(v, out) for v in x.values()]
    elif isinstance(x, list): [json_numbers(v, out) for v in x]
    return out

def shown(written:str, pool:set) -> bool:
    "Whether a number of `pool` rounds to `written` at the precision `written` shows (decimals, or 3 significant digits)."
    v = float(written)
    if "e" in written:
        return any(f"{abs(x):.{len(written.split('e')[0].split('.')[1])}e}" == f"{v:.{len(written.split('e')[0].split('.')[1])}e}" for x in pool)
    d = len(written.split(".")[1])
    return any(abs(round(abs(x), d) - v) < 0.5 * 10 ** -(d + 3) for x in pool)

def orphans(text:str, pool:set) -> list: return [n for n in decimals(prose(text)) if not shown(n, pool)]

def notebook_markdown(nb:dict) -> str: return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
def notebook_code(nb:dict) -> str: return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")

def constants(root:Path) -> set:
    "Numbers written in params.yaml and in the code (library and notebooks): paper values, constants, settings."
    pool = code_numbers((root / "params.yaml").read_text())
    for p in (root / "autost_nb").glob("*.py"): pool |= code_numbers(p.read_text())
    for p in (root / "nbs").glob("*.ipynb"): pool |= code_numbers(notebook_code(json.loads(p.read_text())))
    return pool

def results(root:Path) -> set:
    "Numbers the runs and the benchmarks wrote."
    pool = set()
    for p in list((root / "results/metrics").glob("*.json")) + list((root / "benchmarks/results").glob("*.json")):
        json_numbers(json.loads(p.read_text()), pool)
    for p in (root / "results/tables").glob("*"):
        if p.suffix in (".md", ".csv"): pool |= code_numbers(p.read_text())
    return pool

def stage_notebook_orphans(nb:dict, root:Path) -> list:
    "Typed numbers in a stage notebook's markdown: those written neither in its code, nor in params.yaml, nor among the paper values of `autost_nb.claims`."
    return orphans(notebook_markdown(nb), code_numbers(notebook_code(nb)) | code_numbers((root / "params.yaml").read_text())
                   | code_numbers((root / "autost_nb/claims.py").read_text()))

def test_the_checker_flags_a_typed_result():
    pool = {0.6412, 0.25, 86.1, 0.861}
    assert orphans("SAHD reaches τ = +0.64 and 86.1 % (`0.5` in code, $0.125$ in math)", pool) == []
    assert orphans("seeds agree at τ = 0.59, arXiv 2307.00293, Python 3.11", pool) == ["0.59"]
    assert orphans("rates 1.42e+03 and 1.43e+03", {1415.03}) == ["1.43e+03"]
    pct = json_numbers({"acc": 0.8612}, set())                          # a fraction in the metrics, a percentage in prose
    assert orphans("86.1 % accuracy", pct) == [] and orphans("86.2 %", pct) == ["86.2"]

@pytest.mark.parametrize("where", ["nbs", "results/notebooks"])
def test_stage_notebooks_carry_no_typed_results(where):
    from autost_nb.pipeline import STAGES
    bad = {}
    for stage, (name, _) in STAGES.items():
        p = ROOT / where / (name if where == "nbs" else f"{stage}.ipynb")
        if o := stage_notebook_orphans(json.loads(p.read_text()), ROOT): bad[p.name] = o
    assert not bad, f"numbers typed into stage notebooks' markdown (render them from the metrics instead): {bad}"

@pytest.mark.parametrize("doc", ["README.md", "results/REPORT.md"])
def test_readme_and_report_numbers_come_from_the_runs(doc):
    o = orphans((ROOT / doc).read_text(), results(ROOT) | constants(ROOT))
    assert not o, f"{doc} shows numbers that no metrics, table, benchmark result, parameter or code contains: {o}"

def committed_metrics(root:Path=ROOT) -> dict:
    return {p.stem: json.loads(p.read_text()) for p in sorted((root / "results/metrics").glob("*.json"))}

def report_differences(text:str, M:dict) -> list:
    "Lines of `text` that differ from REPORT.md as `autost_nb.claims` renders it from the metrics `M` (empty: tied)."
    import difflib
    from autost_nb.claims import report_markdown
    return [l for l in difflib.unified_diff(report_markdown(M).splitlines(), text.splitlines(), lineterm="", n=0)
            if l[:1] in "+-" and not l.startswith(("+++", "---"))]

def test_report_is_what_the_claims_render_from_the_committed_metrics():
    d = report_differences((ROOT / "results/REPORT.md").read_text(), committed_metrics())
    assert not d, f"results/REPORT.md is not what the committed metrics render to (typed, edited or stale): {d[:6]}"

def test_a_typed_number_in_the_report_is_caught():
    "Power: a random two-decimal τ or a one-decimal percentage put anywhere in REPORT.md is caught, every time."
    import random
    rng, text, M = random.Random(0), (ROOT / "results/REPORT.md").read_text(), committed_metrics()
    from autost_nb.claims import report_markdown
    assert report_markdown(M) == text
    words = [m.start() for m in re.finditer(r"(?<=\s)\S", text)]
    caught = 0
    for i in range(200):
        typed = f"τ {rng.uniform(-1, 1):+.2f}" if i % 2 else f"{rng.uniform(0, 100):.1f} %"
        at = rng.choice(words)
        caught += bool(report_differences(text[:at] + typed + " " + text[at:], M))
    stale = json.loads(json.dumps(M)); sc = stale["correlation"]["scorers"]["flops"]
    sc["kendall"], sc["kendall_ci"] = sc["kendall"] + 0.01, [sc["kendall_ci"][0] + 0.01, sc["kendall_ci"][1] + 0.01]
    assert caught == 200 and report_differences(text, stale)      # and a metric that moved by 0.01 makes it stale

def test_stage_findings_are_the_reports_verdicts_on_the_committed_metrics():
    "Each executed stage notebook ends with exactly `claims.findings` of its committed metrics: the report's verdicts, nothing else."
    from autost_nb.claims import findings, STAGE_CLAIMS
    from autost_nb.pipeline import STAGES
    M, bad = committed_metrics(), {}
    for stage in STAGE_CLAIMS:
        stem = next(Path(o).stem for o in STAGES[stage][1] if o.startswith("metrics/"))   # the stage's metrics file
        nb = json.loads((ROOT / f"results/notebooks/{stage}.ipynb").read_text())
        shown = "".join(nb["cells"][-1]["outputs"][0]["data"]["text/markdown"])
        if shown != findings(stage, {stem: M[stem]}): bad[stage] = shown[:200]
    assert not bad, f"stage notebooks whose findings are not the report's verdicts on their committed metrics: {bad}"

def test_after_a_parameter_change_the_rerun_prose_matches_the_new_metrics(tmp_path):
    "Change the search_space stage's draws, re-run it and the report: no markdown shows a number the new metrics lack."
    work = tmp_path / "repo"
    def sh(cmd, cwd):
        r = subprocess.run(cmd, shell=True, cwd=cwd, capture_output=True, text=True)
        assert r.returncode == 0, f"{cmd} failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    sh(f"git clone -q {ROOT} {work}", ROOT); sh("dvc pull -q", work)        # data/ into the clone, from its own remote
    p = yaml.safe_load((work / "params.yaml").read_text())
    p["search_space"]["cpu"].update(n_samples=300, seed=1)
    (work / "params.yaml").write_text(yaml.safe_dump(p, sort_keys=False))
    old = json.loads((work / "results/metrics/search_space.json").read_text())
    sh("dvc repro search_space report", work)
    new = json.loads((work / "results/metrics/search_space.json").read_text())
    assert new != old                                                     # the change reached the metrics
    executed = json.loads((work / "results/notebooks/search_space.ipynb").read_text())
    assert stage_notebook_orphans(executed, work) == []
    assert orphans((work / "results/REPORT.md").read_text(), results(work) | constants(work)) == []
