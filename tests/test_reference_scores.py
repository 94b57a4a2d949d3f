"""The AutoST reference search's score, counted by syops itself, against our closed form `autost_nb.cost.syops_ops`.

syops 0.0.5 (the package the AutoST code calls) is a test-only dependency, installed with `--no-deps` next to
spikingjelly 0.0.0.0.12, which it imports (their own requirements would replace the CPU torch wheel; see README's test
command). It sees our `MultiStepLIF` only through `custom_modules_hooks`, with the hook it uses for spikingjelly's LIF.
The count is taken exactly as `evolution.py` takes it: 32 all-ones images in one batch, `ops[0]` per image."""
import copy, pytest, torch
from torch.utils.data import DataLoader, TensorDataset
from syops import get_model_complexity_info
from syops.ops import LIF_syops_counter_hook
from autost_nb.space import Arch, sample_archs
from autost_nb.model import SpikingTransformer
from autost_nb.neurons import MultiStepLIF
from autost_nb.cost import syops_ops

def syops_count(model, batch_size=32):
    "ops[0] of syops on a loader of `batch_size` all-ones images, the way AutoST's evolution.py calls it."
    x = torch.ones(batch_size, model.in_channels, model.img_size, model.img_size)
    loader = DataLoader(TensorDataset(x, torch.zeros(batch_size, dtype=torch.long)), batch_size=batch_size)
    ops, _ = get_model_complexity_info(copy.deepcopy(model), (model.in_channels, model.img_size, model.img_size), loader,
                                       as_strings=False, print_per_layer_stat=False, verbose=False,
                                       custom_modules_hooks={MultiStepLIF: LIF_syops_counter_hook})
    return float(ops[0])

GENOMES = [Arch(64, 2, 4, 2), Arch(32, 1, 3, 2), Arch(48, 3, (2, 4, 3), (2, 4, 2)), *sample_archs("cpu", 3, seed=3)]

@pytest.mark.parametrize("placement", ["pre", "post"])
@pytest.mark.parametrize("arch", GENOMES, ids=str)
def test_closed_form_equals_syops(arch, placement):
    torch.manual_seed(0)
    m = SpikingTransformer(arch, img_size=32, in_channels=3, num_classes=10, T=4, lif_placement=placement)
    assert syops_count(m) == syops_ops(arch, 32, 3, 10, 4, placement, batch_size=32)

def test_closed_form_follows_geometry_and_batch():
    a = GENOMES[0]
    m = SpikingTransformer(a, img_size=16, in_channels=1, num_classes=7, T=2)
    assert syops_count(m, batch_size=8) == syops_ops(a, 16, 1, 7, 2, "pre", batch_size=8)
