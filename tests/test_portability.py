"""The switches of `make test-portable` (regkit.portability): off by default,
exactly one ulp when on, and a clear error for a value they do not take."""
import numpy as np
import pytest

import regkit as rk
from regkit import functional as F
from regkit.portability import blas_threads_override, nudge_init


def test_nudge_is_off_by_default(monkeypatch):
    monkeypatch.delenv("REGKIT_NUDGE_INIT", raising=False)
    a = F.init_weights((5, 7), "he", np.random.default_rng(3))
    b = F.init_weights((5, 7), "he", np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    monkeypatch.setenv("REGKIT_NUDGE_INIT", "0")
    np.testing.assert_array_equal(F.init_weights((5, 7), "he", np.random.default_rng(3)), a)


@pytest.mark.parametrize("init", F.INITS)
def test_nudge_moves_every_weight_up_by_one_ulp(monkeypatch, init):
    monkeypatch.delenv("REGKIT_NUDGE_INIT", raising=False)
    plain = F.init_weights((6, 4), init, np.random.default_rng(0))
    monkeypatch.setenv("REGKIT_NUDGE_INIT", "1")
    nudged = F.init_weights((6, 4), init, np.random.default_rng(0))
    assert nudged.dtype == plain.dtype == np.float32
    assert np.all(nudged > plain)
    np.testing.assert_array_equal(nudged, np.nextafter(plain, np.float32(np.inf)))


def test_nudge_reaches_dense_layers(monkeypatch):
    monkeypatch.delenv("REGKIT_NUDGE_INIT", raising=False)
    plain = rk.Dense(3, 2, rng=1).W.data
    monkeypatch.setenv("REGKIT_NUDGE_INIT", "1")
    np.testing.assert_array_equal(rk.Dense(3, 2, rng=1).W.data,
                                  np.nextafter(plain, np.float32(np.inf)))


def test_nudge_rejects_other_values(monkeypatch):
    monkeypatch.setenv("REGKIT_NUDGE_INIT", "yes")
    with pytest.raises(ValueError, match="REGKIT_NUDGE_INIT must be .* got 'yes'"):
        nudge_init(np.zeros(2, np.float32))


def test_thread_override(monkeypatch):
    monkeypatch.delenv("REGKIT_BLAS_THREADS", raising=False)
    assert blas_threads_override(1) == 1
    monkeypatch.setenv("REGKIT_BLAS_THREADS", "2")
    assert blas_threads_override(1) == 2
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("REGKIT_BLAS_THREADS", bad)
        with pytest.raises(ValueError, match=f"REGKIT_BLAS_THREADS must be .* got '{bad}'"):
            blas_threads_override(1)


def test_blas_threads_uses_the_override(monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    monkeypatch.setenv("REGKIT_BLAS_THREADS", "2")
    with rk.blas_threads(1) as applied:
        blas = [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
        if not (applied and blas):
            pytest.skip("no BLAS library that threadpoolctl controls")
        assert all(p["num_threads"] == 2 for p in blas)


def _test_portable():
    from tool_loader import load_tool
    return load_tool("test_portable")


def test_only_a_dead_kernel_is_retried(tmp_path):
    kernel_deaths = _test_portable().kernel_deaths
    log = tmp_path / "nudge.log"
    log.write_text("ERROR notebooks/03_dropout.ipynb::Cell 30 - RuntimeError: Kernel died before replying\n"
                   "ERROR notebooks/03_dropout.ipynb::Cell 31 - RuntimeError: Kernel died before replying\n"
                   "1 passed, 2 errors\n")
    assert kernel_deaths(log) == ["notebooks/03_dropout.ipynb"]
    # the captured log record of the failed start (seen in CI) is not a test result
    log.write_text('ERROR    nbval:kernel.py:59 Failure starting kernel ":nbval-parent-env"\n'
                   "ERROR notebooks/02_l1_l2.ipynb::Cell 0 - RuntimeError: Kernel died before "
                   "replying to kernel_info\n")
    assert kernel_deaths(log) == ["notebooks/02_l1_l2.ipynb"]
    # a cell that printed something else is never retried, whatever else died
    log.write_text("ERROR notebooks/03_dropout.ipynb::Cell 30 - RuntimeError: Kernel died\n"
                   "FAILED notebooks/04_batchnorm.ipynb::Cell 14 - Notebook cell execution failed\n")
    assert kernel_deaths(log) is None
    log.write_text("292 passed\n")
    assert kernel_deaths(log) is None


def test_setup_notebook_limits_blas_through_the_same_helper(monkeypatch):
    # setup_notebook's threads go through regkit.threads.limit_blas_threads,
    # so the portability switch reaches the notebooks too
    threadpoolctl = pytest.importorskip("threadpoolctl")
    pytest.importorskip("matplotlib")
    from regkit.course import teach
    monkeypatch.setattr(teach, "use_style", lambda: None)     # no global plot style here

    def blas():
        return [p["num_threads"] for p in threadpoolctl.threadpool_info()
                if p["user_api"] == "blas"]
    before, printing = blas(), np.get_printoptions()
    if not before:
        pytest.skip("no BLAS library that threadpoolctl controls")
    try:
        monkeypatch.setenv("REGKIT_BLAS_THREADS", "2")
        teach.setup_notebook(threads=1)
        assert set(blas()) == {2}
        monkeypatch.delenv("REGKIT_BLAS_THREADS")
        teach.setup_notebook(threads=1)
        assert set(blas()) == {1}
        teach.setup_notebook(threads=None)                     # left alone
        assert set(blas()) == {1}
        with pytest.raises(ValueError, match="threads must be >= 1"):
            teach.setup_notebook(threads=0)
    finally:
        threadpoolctl.threadpool_limits(limits=max(before), user_api="blas")
        np.set_printoptions(**printing)
