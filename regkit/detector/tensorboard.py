"""A TensorBoard log (event files) as one run's train/validation curves.

Three layouts are common, all handled:

* one folder of event files with tags such as ``Loss/train`` and
  ``Loss/val`` (PyTorch's ``SummaryWriter``), ``train_loss`` and
  ``val_loss`` (Lightning's ``TensorBoardLogger``) or ``train/loss`` and
  ``eval/loss`` (Hugging Face's ``TensorBoardCallback``);
* a folder with ``train/`` and ``validation/`` subfolders, each holding
  ``epoch_loss`` and ``epoch_accuracy`` (Keras' ``TensorBoard`` callback);
* a folder whose subfolders hold one series each (PyTorch's
  ``add_scalars``, e.g. ``Loss_train/`` and ``Loss_val/``).

A tag read from a subfolder is named ``subfolder/tag``. Each tag is then
sorted by what it measures and on which data, from its words: ``loss`` or
``acc``/``accuracy``; ``val``/``valid``/``validation``/``eval``/``dev`` for
validation, ``test`` ignored, anything else training. When several tags
qualify, one logged per epoch beats one logged per step (``epoch_loss``
before ``evaluation_loss_vs_iterations``, ``train_loss_epoch`` before
``train_loss_step``), then the shorter name. The report names the tags used.

Steps are aligned on the validation steps (see
:func:`regkit.detector.logs.align_on_validation`), so training values
logged every few steps are averaged over the stretch before each
validation. Several event files in one folder (a resumed run) are read in
name order, a later value replacing an earlier one at the same step.
"""
from __future__ import annotations

import os
import re

from . import tfevents

#: Words that mark a tag as validation, as a test set (ignored), or as a per-step series.
_VAL_WORDS = {"val", "valid", "validation", "eval", "evaluation", "dev"}
_TEST_WORDS = {"test", "testing"}
_STEP_WORDS = {"step", "steps", "iteration", "iterations", "batch", "vs"}
#: Subfolder names that are splits of one run rather than runs of their own.
_SPLIT_DIRS = {"train", "training", "validation", "val", "valid", "eval", "evaluation"}


def is_event_file(name: str) -> bool:
    return "tfevents" in os.path.basename(name)


def _event_dirs(path: str) -> dict:
    """Folder (relative to ``path``) -> its event files, sorted."""
    found: dict = {}
    for root, dirs, files in os.walk(path):
        dirs.sort()
        events = sorted(f for f in files if is_event_file(f))
        if events:
            rel = os.path.relpath(root, path)
            found["" if rel == "." else rel] = [os.path.join(root, f) for f in events]
    return found


def read_scalars(path: str) -> tuple[dict, str]:
    """tag -> sorted ``[(step, value)]`` for the run at ``path``, and the framework guess.

    Raises:
        ValueError: no event files, several runs, or an unreadable file.
    """
    if not os.path.isdir(path):
        if os.path.getsize(path) == 0:
            raise ValueError(f"{path!r} is an empty event file (nothing was logged yet)")
        dirs = {"": [path]}
        base = ""
    else:
        dirs = _event_dirs(path)
        if not dirs:
            raise ValueError(f"{path!r} holds no TensorBoard event files "
                             "(events.out.tfevents.*)")
        base = os.path.commonpath(list(dirs))
        children = [d for d in dirs if d != base]
        nested = [d for d in children if os.path.dirname(d) != base]
        runs_of_their_own = (base not in dirs and len(children) > 1 and not all(
            os.path.basename(d).lower() in _SPLIT_DIRS for d in children))
        if nested or runs_of_their_own:
            names = ", ".join(d or "." for d in sorted(dirs))
            raise ValueError(f"{path!r} holds event files of several runs ({names}); "
                             "pass the folder (or file) of one run")
    tags: dict = {}
    for folder, files in dirs.items():
        prefix = "" if folder == base else os.path.basename(folder) + "/"
        for file in files:
            for tag, points in tfevents.scalars(file).items():
                tags.setdefault(prefix + tag, []).extend(points)
    if not tags and all(os.path.getsize(f) == 0 for fs in dirs.values() for f in fs):
        raise ValueError(f"{path!r} holds only empty event files (nothing was logged yet)")
    if not tags:
        raise ValueError(f"{path!r}: the event files hold no scalars (only graphs, images "
                         "or histograms, or nothing was logged yet)")
    for tag, points in tags.items():
        tags[tag] = sorted(dict(points).items())      # the last value at a step wins
    return tags, _guess_framework(path, dirs, tags)


def _guess_framework(path: str, dirs: dict, tags: dict) -> str:
    split_dirs = {os.path.basename(d).lower() for d in dirs} & {"train", "validation"}
    if split_dirs and any(t.split("/")[-1].startswith("epoch_") for t in tags):
        return "keras"
    root = path if os.path.isdir(path) else os.path.dirname(path)
    if os.path.exists(os.path.join(root, "hparams.yaml")) or "epoch" in tags:
        return "lightning"
    return "pytorch"


def classify(tag: str) -> tuple[str, int] | None:
    """``(canonical series, preference)`` for a tag, or None; lower preference wins."""
    words = set(re.split(r"[^a-z0-9]+", tag.lower()))
    if "loss" in words:
        kind = "loss"
    elif words & {"acc", "accuracy"}:
        kind = "acc"
    else:
        return None
    if words & _TEST_WORDS:
        return None
    role = "val" if words & _VAL_WORDS else "train"
    rank = 0 if "epoch" in words else 2 if words & _STEP_WORDS else 1
    return f"{role}_{kind}", rank


def choose(tags: dict) -> dict:
    """canonical series -> the tag chosen for it."""
    candidates: dict = {}
    for tag in tags:
        kind = classify(tag)
        if kind is not None:
            candidates.setdefault(kind[0], []).append((kind[1], len(tag), tag))
    return {name: min(options)[2] for name, options in candidates.items()}
