"""regkit.datasets: shapes, dtypes, scaling, splits, seeds, and the OpenML path.

No test touches the network: fetch_openml is replaced by a fake.
"""
from urllib.error import URLError

import numpy as np
import pytest

import regkit as rk
from regkit import datasets as D

sk_datasets = pytest.importorskip("sklearn.datasets")


@pytest.fixture(scope="module")
def raw_digits():
    return sk_datasets.load_digits()


def _sorted_rows(a):
    a = np.asarray(a).reshape(len(a), -1)
    return a[np.lexsort(a.T[::-1])]


def _class_counts(y, k):
    return np.bincount(y, minlength=k)


# -- digits --------------------------------------------------------------------
def test_digits_shapes_dtypes_and_60_20_20():
    s = D.digits()
    x_tr, y_tr, x_va, y_va, x_te, y_te = s
    assert isinstance(s, D.Split) and s._fields == ("x_train", "y_train", "x_val",
                                                    "y_val", "x_test", "y_test")
    assert x_tr.shape == (1079, 64) and x_va.shape == (359, 64) and x_te.shape == (359, 64)
    assert {a.dtype for a in (x_tr, x_va, x_te)} == {np.dtype(np.float32)}
    assert {a.dtype for a in (y_tr, y_va, y_te)} == {np.dtype(np.int64)}
    assert s.num_classes == 10 and s.image_shape == (8, 8)
    assert "float32(1079, 64)" in repr(s)
    assert s._replace(x_train=s.x_train[:5]).image_shape == (8, 8)  # info travels along


def test_digits_images_scaled_to_unit_range():
    s = D.digits(flatten=False)
    assert s.x_train.shape[1:] == (8, 8) and s.x_test.shape[1:] == (8, 8)
    for x in s[0::2]:
        assert x.min() == 0.0 and x.max() == 1.0  # 0..16 divided by 16


def test_digits_splits_are_disjoint_and_use_every_sample(raw_digits):
    s = D.digits(random_state=3)
    together = np.concatenate([s.x_train, s.x_val, s.x_test]) * 16
    labels = np.concatenate([s.y_train, s.y_val, s.y_test])
    original = np.column_stack([raw_digits.data, raw_digits.target])
    mine = np.column_stack([together, labels])
    np.testing.assert_array_equal(_sorted_rows(mine), _sorted_rows(original))


def test_digits_stratified(raw_digits):
    s = D.digits(random_state=1)
    total = _class_counts(raw_digits.target, 10)
    for y, frac in ((s.y_train, 0.6), (s.y_val, 0.2), (s.y_test, 0.2)):
        assert np.abs(_class_counts(y, 10) - frac * total).max() <= 2


def test_n_train_keeps_a_stratified_subset_and_leaves_val_test_alone():
    full = D.digits(random_state=0)
    small = D.digits(n_train=100, random_state=0)
    assert len(small.x_train) == 100
    assert np.abs(_class_counts(small.y_train, 10) - 10).max() <= 1
    np.testing.assert_array_equal(small.x_val, full.x_val)
    np.testing.assert_array_equal(small.x_test, full.x_test)
    kept = {r.tobytes() for r in full.x_train}
    assert all(r.tobytes() in kept for r in small.x_train)


def test_n_train_validation():
    with pytest.raises(ValueError, match="n_train"):
        D.digits(n_train=5000)
    with pytest.raises(ValueError, match="n_train"):
        D.digits(n_train=0)
    with pytest.raises(ValueError, match="val_size"):
        D.digits(val_size=0.5, test_size=0.5)


@pytest.mark.parametrize("loader", [D.digits, D.moons, D.noisy_sine, D.sparse_features])
def test_seeded(loader):
    a, b, c = loader(random_state=4), loader(random_state=4), loader(random_state=5)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.x_train, c.x_train)


# -- tabular sets ----------------------------------------------------------------
@pytest.mark.parametrize("loader", [D.moons, D.sparse_features])
def test_tabular_standardised_with_training_statistics(loader):
    s = loader(random_state=0)
    assert s.x_train.dtype == np.float32 and s.y_train.dtype == np.int64
    np.testing.assert_allclose(s.x_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(s.x_train.std(axis=0), 1, atol=1e-4)
    # validation was scaled with the training statistics, not its own
    assert np.abs(s.x_val.mean(axis=0)).max() > 1e-3
    assert len(s.x_train) + len(s.x_val) + len(s.x_test) == 1000
    total = _class_counts(np.concatenate([s.y_train, s.y_val, s.y_test]), 2)
    assert np.abs(_class_counts(s.y_val, 2) - 0.2 * total).max() <= 2


def test_moons_shape_and_arguments():
    s = D.moons(n_samples=300, noise=0.1, n_train=50, random_state=0)
    assert s.x_train.shape == (50, 2) and len(s.x_val) == len(s.x_test) == 60
    assert s.noise == 0.1 and set(np.unique(s.y_test)) == {0, 1}
    with pytest.raises(ValueError, match="noise"):
        D.moons(noise=-0.1)


def test_sparse_features_support_is_the_truth():
    s = D.sparse_features(n_features=60, n_informative=4, random_state=2)
    assert s.x_train.shape[1] == 60 and s.support.shape == (4,)
    np.testing.assert_array_equal(np.flatnonzero(s.coef), s.support)
    x = np.concatenate([s.x_train, s.x_val, s.x_test])
    y = np.concatenate([s.y_train, s.y_val, s.y_test])
    corr = np.abs([np.corrcoef(col, y)[0, 1] for col in x.T])
    others = np.delete(corr, s.support)
    assert corr[s.support].min() > others.max()
    with pytest.raises(ValueError, match="n_informative"):
        D.sparse_features(n_features=3, n_informative=5)


# -- noisy sine ---------------------------------------------------------------------
def test_noisy_sine_regression_targets_and_true_function():
    s = D.noisy_sine(n_samples=4000, noise=0.3, random_state=0)
    assert s.x_train.shape == (2400, 1) and s.y_train.shape == (2400, 1)
    assert s.y_train.dtype == np.float32 and s.x_train.dtype == np.float32
    assert s.x_train.min() >= -1 and s.x_train.max() <= 1
    np.testing.assert_allclose(s.true_function(np.array([0.5, -0.5, 0.0])),
                               [1.0, -1.0, 0.0], atol=1e-12)  # sin(pi x)
    resid = np.concatenate([s.y_train - s.true_function(s.x_train),
                            s.y_test - s.true_function(s.x_test)])
    assert abs(resid.std() - 0.3) < 0.015 and abs(resid.mean()) < 0.015
    assert s.noise == 0.3


def test_noisy_sine_noise_free_and_fresh_draws():
    s = D.noisy_sine(noise=0.0, random_state=0)
    np.testing.assert_array_equal(s.y_train, s.true_function(s.x_train))
    x1, y1 = s.sample(50, rng=1)
    x2, y2 = s.sample(50, rng=1)
    x3, _ = s.sample(50, rng=2)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert x1.shape == y1.shape == (50, 1) and not np.array_equal(x1, x3)
    noisy = D.noisy_sine(noise=0.5).sample(20000, rng=0)
    assert abs((noisy[1] - D.sine_function(noisy[0])).std() - 0.5) < 0.02


def test_noisy_sine_disjoint_and_complete():
    s = D.noisy_sine(n_samples=100, random_state=0)
    x = np.concatenate([s.x_train, s.x_val, s.x_test])[:, 0]
    again = D.sample_noisy_sine(100, 0.3, np.random.default_rng(0))[0][:, 0]
    np.testing.assert_array_equal(np.sort(x), np.sort(again))


# -- MNIST / Fashion-MNIST through a fake fetch_openml -------------------------------
N_FAKE = 10_600  # 600 "training" images, then the official last 10,000 as test


@pytest.fixture
def fake_openml(monkeypatch):
    calls = []

    def fake_fetch(name, **kwargs):
        calls.append((name, kwargs))
        data = np.random.default_rng(0).integers(0, 256, size=(N_FAKE, 784), dtype=np.uint8)
        data[0, 0] = 255
        data[0, 1] = 0
        target = np.array([str(i % 10) for i in range(N_FAKE)], dtype=object)
        return sk_datasets._base.Bunch(data=data, target=target)

    monkeypatch.setattr(sk_datasets, "fetch_openml", fake_fetch)
    return calls


@pytest.mark.parametrize("loader, name", [(D.mnist, "mnist_784"),
                                          (D.fashion_mnist, "Fashion-MNIST")])
def test_openml_loader_pins_version_and_needs_no_pandas(loader, name, fake_openml, tmp_path):
    s = loader(n_val=100, flatten=False, data_home=tmp_path, random_state=0)
    (got, kwargs), = fake_openml
    assert got == name and kwargs["version"] == 1 and kwargs["as_frame"] is False
    assert kwargs["parser"] == "liac-arff" and kwargs["data_home"] == tmp_path
    assert s.x_train.shape == (500, 28, 28) and s.x_val.shape == (100, 28, 28)
    assert s.x_test.shape == (10_000, 28, 28) and s.y_test.dtype == np.int64
    np.testing.assert_array_equal(s.y_test, np.arange(600, N_FAKE) % 10)  # the official tail
    assert s.x_train.dtype == np.float32 and s.x_train.min() >= 0 and s.x_train.max() <= 1
    assert np.abs(_class_counts(s.y_val, 10) - 10).max() <= 1
    assert len(s.class_names) == 10


def test_openml_cache_makes_the_second_call_offline(fake_openml, tmp_path, monkeypatch):
    first = D.mnist(n_val=100, n_train=50, data_home=tmp_path)
    monkeypatch.setattr(sk_datasets, "fetch_openml",
                        lambda *a, **k: pytest.fail("should have used the cache"))
    second = D.mnist(n_val=100, n_train=50, data_home=tmp_path)
    for u, v in zip(first, second):
        np.testing.assert_array_equal(u, v)
    assert first.x_train.shape == (50, 784)


def test_offline_and_uncached_gives_a_clear_error(monkeypatch, tmp_path):
    def offline(*args, **kwargs):
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(sk_datasets, "fetch_openml", offline)
    with pytest.raises(D.DatasetUnavailableError) as info:
        D.fashion_mnist(data_home=tmp_path)
    msg = str(info.value)
    assert isinstance(info.value, ConnectionError)
    assert "Fashion-MNIST" in msg and "internet connection" in msg
    assert "cached" in msg and "rk.datasets.digits()" in msg and str(tmp_path) in msg


def test_top_level_exports():
    assert rk.datasets is D and callable(rk.datasets.digits)
