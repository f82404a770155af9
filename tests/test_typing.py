"""Every public function and method of regkit is annotated (PEP 484), and the
package says so with ``py.typed`` (PEP 561): editors and type checkers then
show learners and practitioners what each argument takes.

The public surface is what ``import regkit as rk`` gives: the names of
``rk`` and of its public modules (functional, gradcheck, datasets, augment,
the scikit-learn estimators), and every public method of the classes among
them, inherited ones included, as long as regkit defines them.
"""
import inspect
import types
from pathlib import Path

import pytest

import regkit as rk

MODULES = [rk, rk.functional, rk.gradcheck, rk.datasets, rk.augment]


def _defined_in_regkit(obj) -> bool:
    module = getattr(obj, "__module__", "") or ""
    # private modules (regkit._validate, regkit._fast...) are not the public API
    return module.startswith("regkit") and not any(
        part.startswith("_") for part in module.split(".")[1:])


def public_callables():
    names = [(m, n) for m in MODULES for n in dir(m) if not n.startswith("_")]
    try:
        import sklearn  # noqa: F401
        names += [(rk, "MLPClassifier"), (rk, "MLPRegressor")]
    except ImportError:
        pass
    found = {}
    for module, name in names:
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType) or not _defined_in_regkit(obj):
            continue
        if inspect.isclass(obj):
            for attr, member in inspect.getmembers(obj):
                if attr.startswith("_") and attr != "__init__":
                    continue
                fn = member.fget if isinstance(member, property) else member
                if callable(fn) and _defined_in_regkit(fn) and not inspect.isclass(fn):
                    found[f"{obj.__name__}.{attr}"] = fn
        elif callable(obj):
            found[f"{module.__name__}.{name}"] = obj
    return found


def missing_annotations(fn) -> list[str]:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    annotations = getattr(inspect.unwrap(fn), "__annotations__", {})
    missing = [p.name for p in signature.parameters.values()
               if p.name not in ("self", "cls")
               and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               and p.name not in annotations]
    if "return" not in annotations:
        missing.append("return")
    return missing


def test_the_walk_finds_the_public_api():
    found = public_callables()
    for name in ("regkit.fit", "regkit.diagnose", "Dense.forward", "Dense.backward",
                 "Adam.__init__", "Sequential.save", "History.from_csv", "regkit.augment.shift",
                 "regkit.functional.dropout_mask", "regkit.gradcheck.check_layer"):
        assert name in found, name
    assert len(found) > 100


def test_every_public_callable_is_annotated():
    gaps = {name: m for name, fn in sorted(public_callables().items())
            if (m := missing_annotations(fn))}
    assert not gaps, "missing annotations:\n" + "\n".join(f"  {n}: {m}" for n, m in gaps.items())


def test_a_missing_annotation_is_reported():
    def half_typed(a: int, b) -> int:
        return a
    def no_return(a: int):
        return a
    assert missing_annotations(half_typed) == ["b"]
    assert missing_annotations(no_return) == ["return"]


def test_py_typed_ships_with_the_package():
    assert (Path(rk.__file__).parent / "py.typed").is_file()
