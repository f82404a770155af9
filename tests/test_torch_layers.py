"""The same computations in PyTorch (float64, autograd) as the reference."""
import numpy as np
import pytest

import regkit as rk

torch = pytest.importorskip("torch")


def t64(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def close(ours, theirs, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=rtol, atol=atol)


def float64_params(layer):
    for p in layer.parameters():
        p.data = p.data.astype(np.float64)
    return layer


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_dense(rng):
    layer = float64_params(rk.Dense(5, 3, rng=0))
    layer.b.data = rng.standard_normal(3)
    x, gy = rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    lin = torch.nn.Linear(5, 3).double()
    with torch.no_grad():
        lin.weight.copy_(t64(layer.W.data.T))   # torch stores (out, in)
        lin.bias.copy_(t64(layer.b.data))
    xt = t64(x, grad=True)
    yt = lin(xt)
    yt.backward(t64(gy))
    close(layer(x), yt)
    close(layer.backward(gy), xt.grad)
    close(layer.W.grad, lin.weight.grad.T)
    close(layer.b.grad, lin.bias.grad)


@pytest.mark.parametrize("ours, theirs", [
    (rk.ReLU, torch.relu), (rk.Tanh, torch.tanh), (rk.Sigmoid, torch.sigmoid),
], ids=["relu", "tanh", "sigmoid"])
def test_activations(rng, ours, theirs):
    x, gy = 3 * rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    layer = ours()
    xt = t64(x, grad=True)
    yt = theirs(xt)
    yt.backward(t64(gy))
    close(layer(x), yt)
    close(layer.backward(gy), xt.grad)


def make_pair(num_features, momentum, rng):
    bn = float64_params(rk.BatchNorm(num_features, momentum=momentum))
    bn.gamma.data = rng.standard_normal(num_features)
    bn.beta.data = rng.standard_normal(num_features)
    tbn = torch.nn.BatchNorm1d(num_features, momentum=1 - momentum).double()
    with torch.no_grad():
        tbn.weight.copy_(t64(bn.gamma.data))
        tbn.bias.copy_(t64(bn.beta.data))
    return bn, tbn


def test_batchnorm_training_forward_and_backward(rng):
    bn, tbn = make_pair(3, 0.9, rng)
    x, gy = 2 * rng.standard_normal((8, 3)) + 1, rng.standard_normal((8, 3))
    xt = t64(x, grad=True)
    yt = tbn(xt)
    yt.backward(t64(gy))
    close(bn(x), yt)
    close(bn.backward(gy), xt.grad)
    close(bn.gamma.grad, tbn.weight.grad)
    close(bn.beta.grad, tbn.bias.grad)


def test_batchnorm_running_stats_momentum_and_variance_mapping(rng):
    momentum, m, steps = 0.9, 8, 5
    bn, tbn = make_pair(3, momentum, rng)
    for _ in range(steps):
        x = 2 * rng.standard_normal((m, 3)) + 1
        close(bn(x), tbn(t64(x)), rtol=1e-6, atol=1e-6)
    # regkit momentum 0.9 == torch momentum 0.1: the means agree exactly
    close(bn.running_mean, tbn.running_mean, rtol=1e-6, atol=1e-7)
    # torch feeds the unbiased variance (n-1): each batch's share is m/(m-1)
    # times larger, the starting value 1 is not
    decay = momentum ** steps
    mapped = decay + m / (m - 1) * (bn.running_var - decay)
    close(mapped, tbn.running_var, rtol=1e-6, atol=1e-7)
    assert not np.allclose(bn.running_var, tbn.running_var.numpy(), rtol=1e-3)


def test_batchnorm_eval(rng):
    bn, tbn = make_pair(3, 0.8, rng)
    bn.running_mean[:] = [0.5, -1.0, 2.0]
    bn.running_var[:] = [2.0, 0.5, 1.5]
    with torch.no_grad():
        tbn.running_mean.copy_(t64(bn.running_mean))
        tbn.running_var.copy_(t64(bn.running_var))
    bn.eval()
    tbn.eval()
    x, gy = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    xt = t64(x, grad=True)
    yt = tbn(xt)
    yt.backward(t64(gy))
    close(bn(x), yt, rtol=1e-6, atol=1e-7)         # buffers are float32
    close(bn.backward(gy), xt.grad, rtol=1e-6, atol=1e-7)
    close(bn.gamma.grad, tbn.weight.grad, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.25])
@pytest.mark.parametrize("kind", ["labels", "soft"])
def test_cross_entropy(rng, kind, eps):
    scores = 3 * rng.standard_normal((6, 5))
    if kind == "labels":
        target = rng.integers(0, 5, 6)
        tt = torch.tensor(target)
    else:
        target = rng.dirichlet(np.ones(5), size=6)
        tt = t64(target)
    loss = rk.SoftmaxCrossEntropy(label_smoothing=eps)
    st = t64(scores, grad=True)
    ref = torch.nn.CrossEntropyLoss(label_smoothing=eps)(st, tt)
    ref.backward()
    assert loss(scores, target) == pytest.approx(ref.item(), rel=1e-12)
    close(loss.backward(), st.grad)


def test_mse(rng):
    s, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    st = t64(s, grad=True)
    ref = torch.nn.MSELoss()(st, t64(t))
    ref.backward()
    loss = rk.MSE()
    assert loss(s, t) == pytest.approx(ref.item(), rel=1e-12)
    close(loss.backward(), st.grad)


def test_module_walk_and_parameter_names_follow_torch():
    # Module.modules() and named_parameters() walk the tree as torch.nn.Module
    # does: the module itself first, then depth-first; names are dotted paths
    ours = rk.Sequential(rk.Dense(3, 4, rng=0), rk.BatchNorm(4), rk.ReLU(),
                         rk.Sequential(rk.Dense(4, 4, rng=1), rk.Tanh()), rk.Dense(4, 2, rng=2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(),
                                 torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Tanh()),
                                 torch.nn.Linear(4, 2))
    kinds = {rk.Sequential: torch.nn.Sequential, rk.Dense: torch.nn.Linear,
             rk.BatchNorm: torch.nn.BatchNorm1d, rk.ReLU: torch.nn.ReLU, rk.Tanh: torch.nn.Tanh}
    assert [kinds[type(m)] for m in ours.modules()] == [type(m) for m in theirs.modules()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    rename = {"W": "weight", "b": "bias", "gamma": "weight", "beta": "bias"}

    def torch_name(name):
        *path, leaf = name.split(".")
        return ".".join(path + [rename[leaf]])

    assert [torch_name(n) for n, _ in ours.named_parameters()] == [
        n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [
        n for n, _ in theirs.named_buffers() if not n.endswith("num_batches_tracked")]


def test_backward_after_a_mode_switch_differentiates_the_forward_as_autograd_does(rng):
    # autograd differentiates the graph the forward built; regkit's layers
    # record the forward's mode, so .eval() between the passes changes nothing
    bn, tbn = make_pair(3, 0.9, rng)
    x, gy = 2 * rng.standard_normal((8, 3)) + 1, rng.standard_normal((8, 3))
    xt = t64(x, grad=True)
    yt = tbn(xt)
    tbn.eval()
    bn(x)
    bn.eval()
    yt.backward(t64(gy))
    close(bn.backward(gy), xt.grad)
    close(bn.gamma.grad, tbn.weight.grad)

    drop, tdrop = rk.Dropout(0.5, rng=0), torch.nn.Dropout(0.5)
    x = np.abs(rng.standard_normal((6, 7))) + 0.1            # never zero: zeros are dropped units
    gy = rng.standard_normal((6, 7))
    xt = t64(x, grad=True)
    yt = tdrop(xt)
    tdrop.eval()
    yt.backward(t64(gy))
    drop(x)
    drop.mask = yt.detach().numpy() != 0                      # PyTorch's mask, swapped in
    drop.eval()
    close(drop.backward(gy), xt.grad)
