"""The fused optimizer step: every parameter of one dtype in one flat array.

The readable optimizers of :mod:`regkit.optim` loop over the parameters and
spend a dozen NumPy calls on each; with ``fused=True`` (their default) they
call this module instead. The parameters then live back to back in one flat
array per dtype (:class:`FlatParams`; each ``p.data`` is a view into it), so
a step is the same dozen NumPy calls whatever the number of parameters,
plus one copy of each gradient into the flat gradient.

The arithmetic (:func:`sgd_update`, :func:`adam_update`) performs, element
by element, the same floating-point operations in the same order as the
readable loop, so both give the same bits (``tests/test_fast_paths.py``).
What differs is bookkeeping only: a ``.data`` the user assigns is *copied
in* here (the array they handed over is never written), and ``zero_grad``
hands out views of one zero buffer instead of new arrays.
"""
from __future__ import annotations

import numpy as np


class FlatStorage:
    """The flat buffers of one optimizer, kept in step with its parameters.

    Args:
        params: the optimizer's Parameters.
        state_keys: the names of its per-parameter state arrays.
        state: the optimizer's ``state`` dict, filled here with views into
            the flat state arrays (``{Parameter: {key: view}}``) and kept
            the same dict object across repacks.

    Attributes:
        groups (list[FlatParams]): one per dtype.
    """

    def __init__(self, params, state_keys, state: dict):
        self.params, self.state_keys, self.state = list(params), tuple(state_keys), state
        self.groups: list[FlatParams] = []
        self.pack()

    def zero_grad(self) -> None:
        """Point every ``.grad`` at a view of a zero buffer (refilled, nothing allocated)."""
        for group in self.packed():
            group.zeros.fill(0.0)
            for p, view in zip(group.params, group.zero_views):
                p.grad = view

    def packed(self) -> list["FlatParams"]:
        """The flat buffers, after reading every ``p.data`` afresh.

        An array the user assigned is copied into the flat buffer; a new
        shape or dtype repacks everything, keeping the state of the
        parameters whose shape did not change.
        """
        if not all(group.sync_data() for group in self.groups):
            self.pack()
        return self.groups

    def pack(self) -> None:
        """(Re)build the flat buffers: one per dtype, decaying parameters first."""
        old = {p: {k: v.copy() for k, v in st.items()} for p, st in self.state.items()}
        by_dtype: dict[np.dtype, list] = {}
        for p in self.params:
            p.data = np.asarray(p.data)                 # a list assigned by the user, say
            by_dtype.setdefault(p.data.dtype, []).append(p)
        self.groups = [FlatParams(ps, self.state_keys) for ps in by_dtype.values()]
        self.state.clear()
        for group in self.groups:
            for p, views in zip(group.params, group.state_views):
                for key, view in views.items():
                    before = old.get(p, {}).get(key)
                    if before is not None and before.shape == view.shape:
                        view[...] = before
                self.state[p] = views


class FlatParams:
    """Parameters of one dtype packed back to back into flat arrays.

    ``data`` holds every parameter's values (each ``p.data`` is a reshaped
    view into it), ``grad`` a copy of the gradients taken at each step,
    ``state[key]`` the optimizer's state element by element, ``tmp``
    scratch space. Parameters with ``decay=True`` come first, so weight
    decay applies to the slice ``[:n_decay]``. Updating the flat arrays
    does, element by element, exactly the arithmetic a per-parameter loop
    would do (the same numbers), in far fewer NumPy calls.

    Each parameter starts on a 64-byte boundary (the padding between them
    is zeros, with zero gradient and state, and stays zero).
    """

    ALIGN = 64  # bytes

    def __init__(self, params, state_keys):
        params = sorted(params, key=lambda p: not p.decay)   # stable: decaying first
        dtype = params[0].data.dtype
        unit = max(1, self.ALIGN // dtype.itemsize)           # elements per 64 bytes
        offsets, end = [], 0
        for p in params:
            offsets.append(end)
            end += -(-p.data.size // unit) * unit             # round up to the alignment
        self.n_decay = max([o + p.data.size for o, p in zip(offsets, params) if p.decay],
                           default=0)
        self.params, self.dtype = params, dtype
        self.data, self.grad, self.zeros, self.tmp = (_aligned_zeros(end, dtype, self.ALIGN)
                                                      for _ in range(4))
        self.state = {k: _aligned_zeros(end, dtype, self.ALIGN) for k in state_keys}

        def views(flat):
            return [flat[o:o + p.data.size].reshape(p.data.shape)
                    for o, p in zip(offsets, params)]

        self.data_views, self.grad_views = views(self.data), views(self.grad)
        self.zero_views = views(self.zeros)
        per_key = {k: views(v) for k, v in self.state.items()}
        self.state_views = [{k: per_key[k][i] for k in state_keys} for i in range(len(params))]
        for p, view in zip(params, self.data_views):
            view[...] = p.data
            p.data = view

    def arrays(self) -> tuple:
        """``(data, grad, tmp, state, n_decay)``: what an update function takes."""
        return self.data, self.grad, self.tmp, self.state, self.n_decay

    def sync_data(self) -> bool:
        """Copy in any ``.data`` the user assigned; False when a repack is needed."""
        for p, view in zip(self.params, self.data_views):
            if p.data is not view:
                data = np.asarray(p.data)
                if data.shape != view.shape or data.dtype != self.dtype:
                    return False
                view[...] = data
                p.data = view
        return True

    def copy_grads(self) -> None:
        """Copy every ``.grad`` into the flat gradient (in this group's dtype).

        The caller has checked each gradient's shape (``regkit.optim``
        does, with the same message on both paths).
        """
        for p, view in zip(self.params, self.grad_views):
            np.copyto(view, p.grad)


def _aligned_zeros(n: int, dtype, align: int) -> np.ndarray:
    """``np.zeros(n, dtype)`` whose first element sits on an ``align``-byte boundary."""
    itemsize = np.dtype(dtype).itemsize
    raw = np.zeros(n + align // itemsize, dtype=dtype)
    start = (-raw.ctypes.data % align) // itemsize
    return raw[start:start + n]


# -- the arithmetic, on flat arrays -----------------------------------------
# Each function updates ``w`` and the state arrays in place. ``w``, ``g``,
# ``tmp`` and every state array are the equally long flat arrays of one
# FlatParams; their first ``n_decay`` elements belong to parameters with
# ``decay=True``. ``g`` may be overwritten (it is the optimizer's copy of
# the gradients); ``tmp`` is scratch space. Each operation is annotated
# with the readable line of regkit.optim it computes, element by element.

def sgd_update(w, g, tmp, state, n_decay, *, lr, momentum, weight_decay) -> None:
    """SGD with momentum and coupled weight decay (see :class:`regkit.optim.SGD`)."""
    if weight_decay:                        # g = g + wd * w
        g[:n_decay] += np.multiply(w[:n_decay], weight_decay, out=tmp[:n_decay])
    if momentum:                            # buf = momentum * buf + g
        buf = state["momentum"]             # (zeros at first, so buf = g)
        buf *= momentum
        buf += g
        g = buf
    w -= np.multiply(g, lr, out=tmp)        # w -= lr * g


def adam_update(w, g, tmp, state, n_decay, *, lr, betas, step_size, eps_c, weight_decay,
                decoupled) -> None:
    """Adam / AdamW at one step (see :class:`regkit.optim.Adam`; ``step_size`` and
    ``eps_c`` carry the bias corrections)."""
    b1, b2 = betas
    m, v = state["m"], state["v"]
    if weight_decay and decoupled:          # AdamW: w *= 1 - lr * wd
        w[:n_decay] *= 1.0 - lr * weight_decay
    elif weight_decay:                      # Adam: g = g + wd * w
        g[:n_decay] += np.multiply(w[:n_decay], weight_decay, out=tmp[:n_decay])
    m *= b1                                 # m = b1 * m + (1 - b1) * g
    m += np.multiply(g, 1.0 - b1, out=tmp)
    v *= b2                                 # v = b2 * v + (1 - b2) * g**2
    np.multiply(g, g, out=tmp)
    tmp *= 1.0 - b2
    v += tmp
    np.sqrt(v, out=tmp)                     # w -= step_size * (m / (sqrt(v) + eps_c))
    tmp += eps_c
    np.divide(m, tmp, out=tmp)
    tmp *= step_size
    w -= tmp
