"""Properties that must hold for any input (hypothesis)."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import regkit as rk
from regkit._fast.dropout import dropout_mask as fast_dropout_mask
from regkit.functional import dropout_mask, softmax

FEW = settings(deadline=None, max_examples=30)

finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False, width=32)
probs = st.floats(0.0, 0.95, exclude_max=False)
shapes = st.tuples(st.integers(1, 8), st.integers(1, 8))


@FEW
@given(x=arrays(np.float32, shapes, elements=finite), p=probs, seed=st.integers(0, 2**16))
def test_dropout_eval_is_identity(x, p, seed):
    layer = rk.Dropout(p, rng=seed).eval()
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.backward(x), x)


@FEW
@given(x=arrays(np.float32, shapes, elements=finite), p=probs, seed=st.integers(0, 2**16))
def test_dropout_training_outputs_are_zero_or_scaled_input(x, p, seed):
    layer = rk.Dropout(p, rng=seed)
    y = layer(x)
    scaled = x * np.float32(1 / (1 - p))
    kept = layer.mask
    np.testing.assert_allclose(y[kept], scaled[kept], rtol=1e-6)
    np.testing.assert_array_equal(y[~kept], 0.0)
    assert y.dtype == np.float32


@FEW
@given(p=st.floats(0.0, 1.0, exclude_max=True), seed=st.integers(0, 2**16),
       shape=st.tuples(st.integers(0, 9), st.integers(1, 9)), kept=st.integers(0, 3),
       bits=st.sampled_from([np.random.PCG64, np.random.Philox, np.random.SFC64,
                             np.random.MT19937]))
def test_fast_dropout_mask_is_the_readable_mask(p, seed, shape, kept, bits):
    readable, fast = (np.random.Generator(bits(seed)) for _ in range(2))
    for gen in (readable, fast):
        gen.random(kept, dtype=np.float32)          # 0-3 earlier draws: a half kept or not
    for _ in range(3):
        assert np.array_equal(fast_dropout_mask(shape, p, fast), dropout_mask(shape, p, readable))
    assert np.array_equal(fast.random(3, dtype=np.float32), readable.random(3, dtype=np.float32))


score_rows = st.integers(1, 6).flatmap(
    lambda k: st.tuples(
        arrays(np.float64, st.tuples(st.integers(1, 6), st.just(k)),
               elements=st.floats(-30, 30, allow_nan=False)),
        st.just(k)))


@FEW
@given(data=score_rows, shift=st.floats(-1e3, 1e3), eps=st.floats(0, 0.5),
       seed=st.integers(0, 2**16))
def test_cross_entropy_ignores_a_constant_shift(data, shift, eps, seed):
    scores, k = data
    labels = np.random.default_rng(seed).integers(0, k, len(scores))
    loss = rk.SoftmaxCrossEntropy(label_smoothing=eps)
    a, ga = loss(scores, labels), loss.backward()
    b, gb = loss(scores + shift, labels), loss.backward()
    assert b == pytest.approx(a, rel=1e-9, abs=1e-9 * (1 + abs(shift)))
    np.testing.assert_allclose(gb, ga, atol=1e-9 * (1 + abs(shift)))
    np.testing.assert_allclose(softmax(scores + shift), softmax(scores),
                               atol=1e-9 * (1 + abs(shift)))


@FEW
@given(data=score_rows, seed=st.integers(0, 2**16), soft=st.booleans())
def test_smoothing_zero_is_plain_cross_entropy(data, seed, soft):
    scores, k = data
    rng = np.random.default_rng(seed)
    target = (rng.dirichlet(np.ones(k), size=len(scores)) if soft
              else rng.integers(0, k, len(scores)))
    smoothed = rk.SoftmaxCrossEntropy(label_smoothing=0.0)
    value, grad = smoothed(scores, target), smoothed.backward()
    # plain cross-entropy written out: -mean(sum(t * log_softmax))
    t = target if soft else np.eye(k)[target]
    logp = scores - scores.max(axis=1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(axis=1, keepdims=True))
    assert value == pytest.approx(-np.mean(np.sum(t * logp, axis=1)), rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(grad, (np.exp(logp) - t) / len(scores), atol=1e-12)


@FEW
@given(x=arrays(np.float64, st.tuples(st.integers(2, 32), st.integers(1, 5)),
                elements=st.floats(-100, 100, allow_nan=False)))
def test_batchnorm_training_output_is_standardised(x):
    # non-degenerate: every feature has a real spread (else x_hat is ~0)
    assume(np.all(x.std(axis=0) > 1e-2))
    y = rk.BatchNorm(x.shape[1])(x)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-7)
    # the std is 1 up to eps: sqrt(var / (var + eps))
    var = x.var(axis=0)
    np.testing.assert_allclose(y.std(axis=0), np.sqrt(var / (var + 1e-5)), rtol=1e-7)
    assert np.all(y.std(axis=0) > 0.9)
