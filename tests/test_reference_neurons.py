"""Our LIF neuron against the one the reference codes use: SpikingJelly 0.0.0.0.12's `MultiStepLIFNode`, torch backend.

SpikingJelly is a test-only dependency, pinned to the version the AutoST and Spikformer codes import and installed
with `--no-deps` (its own requirements would replace the CPU torch wheel with a CUDA build); see README's test command.
Spikes, the membrane after every step, and the surrogate gradient reaching the input must be *equal*, on random
inputs and on inputs from the attention neuron's grid (multiples of 0.125), where exact ties H = V_th occur."""
import pytest, torch
from spikingjelly.clock_driven import neuron as sj_neuron
from autost_nb.neurons import MultiStepLIF

def grid_input(g, shape):
    "Integer multiples of 0.125 in [0, 2]: what the attention neuron sees (Q K^T V * 0.125 with binary Q, K, V)."
    return torch.randint(0, 17, shape, generator=g).float() * 0.125

def random_input(g, shape): return torch.randn(shape, generator=g) * 1.5 + 0.5

def run_ours(x, threshold):
    "Spikes, membrane after each step, and d(sum of weighted spikes)/dx of our neuron, stepped one timestep per call."
    x = x.clone().requires_grad_(True)
    lif = MultiStepLIF(threshold=threshold, stateful=True)
    spikes, mems = [], []
    for t in range(x.shape[0]):
        spikes.append(lif(x[t:t + 1])[0]); mems.append(lif.mem)
    return torch.stack(spikes), torch.stack(mems), x

def run_reference(x, threshold):
    x = x.clone().requires_grad_(True)
    lif = sj_neuron.MultiStepLIFNode(tau=2.0, v_threshold=threshold, detach_reset=True, backend="torch")
    s = lif(x)
    return s, lif.v_seq, x

@pytest.mark.parametrize("threshold", [1.0, 0.5])
@pytest.mark.parametrize("kind", ["random", "grid"])
def test_lif_equals_spikingjelly(kind, threshold):
    g = torch.Generator().manual_seed(0)
    x = (grid_input if kind == "grid" else random_input)(g, (6, 64, 97))
    w = torch.randn(x.shape, generator=g)                      # a random upstream gradient
    (s1, v1, x1), (s2, v2, x2) = run_ours(x, threshold), run_reference(x, threshold)
    assert torch.equal(s1, s2) and torch.equal(v1, v2)
    (s1 * w).sum().backward(); (s2 * w).sum().backward()
    assert torch.equal(x1.grad, x2.grad)
    if kind == "grid":                                         # the grid really produces ties, and they fire
        h = v2.new_zeros(x.shape[1:]); ties = 0
        for t in range(x.shape[0]):
            h = h + (x[t] - h) / 2.0; ties += int((h == threshold).sum()); h = h * (1 - s2[t].detach())
        assert ties > 0

def test_spike_dtype_follows_the_input_as_in_spikingjelly():
    x = torch.rand(3, 5, dtype=torch.float64) * 3
    ref = sj_neuron.MultiStepLIFNode(tau=2.0, detach_reset=True, backend="torch")(x)
    assert MultiStepLIF()(x).dtype == ref.dtype == torch.float64
