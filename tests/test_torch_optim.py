"""regkit's SGD/Adam/AdamW follow torch.optim step for step, on both paths
(the fused flat-buffer step, the default, and the readable loop, ``fused=False``).

Two parameters: a weight matrix with decay=True and a bias with decay=False;
in torch the bias sits in its own group with weight_decay=0 (the mapping the
optim docstrings give). The gradient of each step is a quadratic pull towards
a target plus a fixed random sequence, computed from each library's own
current weights, so any difference in an update would grow over the steps.
"""
import numpy as np
import pytest

import regkit as rk
from regkit.module import Parameter

torch = pytest.importorskip("torch")

STEPS = 15
# float64: identical formulas up to rounding order (measured <= 2e-15 relative).
# float32: rounding differs (measured <= 3e-7 relative)
# (torch uses lerp and fused ops), accumulated over 15 steps.
TOL = {np.float64: dict(rtol=1e-12, atol=1e-13), np.float32: dict(rtol=2e-6, atol=5e-7)}

CASES = [
    ("SGD", dict(lr=0.1), dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.1),
     dict(lr=0.05, momentum=0.9, weight_decay=0.1)),
    ("Adam", dict(lr=0.01), dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.3),
     dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.3)),
    ("AdamW", dict(lr=0.01), dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, betas=(0.85, 0.95), eps=1e-7, weight_decay=0.5),
     dict(lr=0.02, betas=(0.85, 0.95), eps=1e-7, weight_decay=0.5)),
]


def _problem(dtype):
    rng = np.random.default_rng(42)
    w0 = rng.standard_normal((3, 4)).astype(dtype)
    b0 = rng.standard_normal(4).astype(dtype)
    targets = (rng.standard_normal((3, 4)).astype(dtype), rng.standard_normal(4).astype(dtype))
    curvature = (rng.uniform(0.5, 3.0, (3, 4)).astype(dtype), rng.uniform(0.5, 3.0, 4).astype(dtype))
    noise = [(rng.standard_normal((3, 4)).astype(dtype), rng.standard_normal(4).astype(dtype))
             for _ in range(STEPS)]
    return w0, b0, targets, curvature, noise


def _grads(w, b, t, targets, curvature, noise):
    return (curvature[0] * (w - targets[0]) + noise[t][0],
            curvature[1] * (b - targets[1]) + noise[t][1])


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "readable"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name, rk_kwargs, torch_kwargs", CASES)
def test_trajectory_matches_torch(name, rk_kwargs, torch_kwargs, dtype, fused):
    w0, b0, targets, curvature, noise = _problem(dtype)

    w = Parameter(w0.copy(), name="W")
    b = Parameter(b0.copy(), name="b", decay=False)
    opt = getattr(rk, name)([w, b], **rk_kwargs, fused=fused)

    tw = torch.tensor(w0.copy(), requires_grad=True)
    tb = torch.tensor(b0.copy(), requires_grad=True)
    groups = [{"params": [tw]}, {"params": [tb], "weight_decay": 0.0}]
    topt = getattr(torch.optim, name)(groups, **torch_kwargs)

    for t in range(STEPS):
        w.grad, b.grad = _grads(w.data, b.data, t, targets, curvature, noise)
        opt.step()
        gw, gb = _grads(tw.detach().numpy(), tb.detach().numpy(), t, targets, curvature, noise)
        tw.grad, tb.grad = torch.from_numpy(gw), torch.from_numpy(gb)
        topt.step()

    assert w.data.dtype == dtype and b.data.dtype == dtype
    np.testing.assert_allclose(w.data, tw.detach().numpy(), **TOL[dtype])
    np.testing.assert_allclose(b.data, tb.detach().numpy(), **TOL[dtype])
    # the run moved the weights, so the comparison means something
    assert np.max(np.abs(w.data - w0)) > 1e-2


def test_decay_false_group_matters_in_torch_too():
    """Guard for the test above: putting the bias in the decaying group changes
    torch's result, so the group mapping is really being checked."""
    w0, b0, targets, curvature, noise = _problem(np.float64)
    runs = []
    for bias_decay in (0.0, 0.5):
        tw = torch.tensor(w0.copy(), requires_grad=True)
        tb = torch.tensor(b0.copy(), requires_grad=True)
        topt = torch.optim.AdamW([{"params": [tw]}, {"params": [tb], "weight_decay": bias_decay}],
                                 lr=0.02, weight_decay=0.5)
        for t in range(STEPS):
            gw, gb = _grads(tw.detach().numpy(), tb.detach().numpy(), t, targets, curvature, noise)
            tw.grad, tb.grad = torch.from_numpy(gw), torch.from_numpy(gb)
            topt.step()
        runs.append(tb.detach().numpy().copy())
    assert np.max(np.abs(runs[0] - runs[1])) > 1e-3
