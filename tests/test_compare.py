"""rk.compare: the same model with and without each technique, same seeds."""
import numpy as np
import pytest

import regkit as rk
from regkit.detector.comparison import TECHNIQUES, Comparison, compare, mlp


@pytest.fixture(scope="module")
def images():
    return rk.datasets.digits(n_train=100, flatten=False, random_state=0)


# long enough for both early-stopping runs (alone and in "all") to stop
EPOCHS = 60


@pytest.fixture(scope="module")
def result(images):
    return compare(mlp(64, (64,), 10), techniques=list(TECHNIQUES), data=images,
                   epochs=EPOCHS, lr=1e-2, patience=3, seed=0)


def test_table_has_one_row_per_technique_in_order(result):
    assert [row["technique"] for row in result.table] == list(TECHNIQUES)
    for row in result.table:
        assert set(row) == set(Comparison.COLUMNS)
        assert 0.0 <= row["val_acc"] <= 1.0 and row["seconds"] > 0
        assert row["gap"] == pytest.approx(row["train_acc"] - row["val_acc"])
        assert row["verdict"] in rk.detector.rules.VERDICTS
    assert set(result.histories) == set(TECHNIQUES)


def test_each_technique_is_really_on(result):
    def kinds(name):
        return [type(layer).__name__ for layer in result.models[name].layers]
    assert "Dropout" not in kinds("none") and "BatchNorm" not in kinds("none")
    assert [lay.p for lay in result.models["dropout"].layers if hasattr(lay, "p")] == [0.5]
    assert "BatchNorm" in kinds("batchnorm")
    dense = [lay for lay in result.models["l2"].layers if type(lay).__name__ == "Dense"]
    assert all(lay.regularizer.lam == 1e-3 for lay in dense)
    assert result.histories["augmentation"].config["augment"] is True
    assert result.histories["none"].config["augment"] is False
    all_kinds = kinds("all")
    assert "Dropout" in all_kinds and "BatchNorm" in all_kinds
    assert result.histories["all"].config["early_stopping"] == 3


def test_same_seeds_same_start(result, images):
    # early stopping changes nothing until it stops: the curves agree exactly
    plain, stopped = result.histories["none"], result.histories["early_stopping"]
    k = len(stopped.train_loss)
    assert plain.train_loss[:k] == stopped.train_loss[:k]
    # and the whole experiment is reproducible
    again = compare(mlp(64, (64,), 10), techniques=["dropout"], data=images, epochs=EPOCHS,
                    lr=1e-2, seed=0)
    assert again.histories["dropout"].val_loss == result.histories["dropout"].val_loss
    other = compare(mlp(64, (64,), 10), techniques=["dropout"], data=images, epochs=EPOCHS,
                    lr=1e-2, seed=1)
    assert other.histories["dropout"].val_loss != result.histories["dropout"].val_loss


@pytest.mark.parametrize("technique", ["early_stopping", "all"])
def test_early_stopping_row_reports_the_restored_model(result, technique):
    row = next(r for r in result.table if r["technique"] == technique)
    history = result.histories[technique]
    assert row["stopped_epoch"] is not None and row["best_epoch"] < row["stopped_epoch"]
    assert len(history.val_loss) == row["stopped_epoch"] + 1 < EPOCHS
    assert row["train_acc"] == pytest.approx(history.train_acc[row["best_epoch"]])
    assert row["val_acc"] == pytest.approx(history.val_acc[row["best_epoch"]])


def test_display_and_plot(result):
    text = str(result)
    assert text.splitlines()[0].split()[:3] == ["technique", "train_acc", "val_acc"]
    assert len(text.splitlines()) == 1 + len(TECHNIQUES)
    assert "<table>" in result._repr_html_()
    plt = pytest.importorskip("matplotlib.pyplot")
    fig = result.plot()
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(TECHNIQUES)
    assert visible[0].get_shared_y_axes().joined(visible[0], visible[-1])
    assert "none" in visible[0].get_title()
    plt.close("all")


def test_bad_arguments(images):
    flat = rk.datasets.digits(n_train=100, random_state=0)
    with pytest.raises(ValueError, match="flatten=False"):
        compare(mlp(), techniques=["augmentation"], data=flat, epochs=1)
    with pytest.raises(ValueError, match="techniques"):
        compare(mlp(), techniques=["weight_noise"], data=images, epochs=1)
    with pytest.raises(ValueError, match="techniques"):
        compare(mlp(), techniques=[], data=images, epochs=1)


def test_mlp_builder_contract():
    build = mlp(64, (16, 8), 10)
    plain = build()
    assert [type(m).__name__ for m in plain.layers] == [
        "Flatten", "Dense", "ReLU", "Dense", "ReLU", "Dense"]
    full = build(dropout=0.3, batchnorm=True, l2=1e-2)
    assert [type(m).__name__ for m in full.layers][:5] == [
        "Flatten", "Dense", "BatchNorm", "ReLU", "Dropout"]
    out = full.predict(np.zeros((3, 8, 8), dtype=np.float32))
    assert out.shape == (3, 10)
