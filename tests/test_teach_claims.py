"""The notebooks' band/claim helpers: print what holds, fail loudly otherwise."""
import numpy as np
import pytest

from regkit.course.teach import ClaimFailed, band, claim


def test_band_prints_the_band_not_the_value(capsys):
    band("val accuracy", 0.9137, 0.88, 0.94, fmt=".2f")
    assert capsys.readouterr().out == "val accuracy: 0.88 to 0.94\n"


def test_band_same_text_for_any_value_inside(capsys):
    for v in (0.88, 0.9, 0.94):
        band("gap", v, 0.88, 0.94, fmt=".0%")
    assert capsys.readouterr().out.splitlines() == ["gap: 88% to 94%"] * 3


@pytest.mark.parametrize("value", [0.879, 0.941, float("nan"), np.float32(2.0)])
def test_band_fails_loudly_outside(value, capsys):
    with pytest.raises(ClaimFailed, match="val accuracy = .*outside the band \\[0.88, 0.94\\]"):
        band("val accuracy", value, 0.88, 0.94, fmt=".2f")
    assert capsys.readouterr().out == ""


def test_band_rejects_an_empty_band():
    with pytest.raises(ValueError, match="low must be <= high"):
        band("x", 1.0, 2.0, 1.0)


def test_claim_prints_true_and_raises_false(capsys):
    claim("dropout beats no dropout", np.float64(0.95) > 0.92)
    assert capsys.readouterr().out == "dropout beats no dropout\n"
    with pytest.raises(ClaimFailed, match=r"no longer true: dropout wins \(0.90 vs 0.92\)"):
        claim("dropout wins", 0.90 > 0.92, measured="0.90 vs 0.92")


def test_claim_needs_a_bool():
    with pytest.raises(TypeError, match="holds must be a bool"):
        claim("something", np.array([True, False]))
