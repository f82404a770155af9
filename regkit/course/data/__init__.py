"""The sample training logs that ship with the course (notebook 08).

They are package data, so they are found through the installed package and
not through the working directory: the notebooks run the same from a clone,
from an installed wheel, on Colab and on Binder.

* ``keras_log.csv``          a Keras ``CSVLogger`` file, one row per epoch;
* ``lightning_metrics.csv``  a PyTorch Lightning ``metrics.csv``: training
  and validation values on separate rows with blank cells;
* ``hf_trainer_state.json``  a Hugging Face ``Trainer`` state in the layout
  the Trainer writes (by hand: no ``transformers`` here), evaluated every 50
  steps and stopped early;
* ``tensorboard_pytorch/``   event files PyTorch's ``SummaryWriter`` wrote
  (``Loss/train``, ``Loss/val``, ``Accuracy/...`` once per epoch);
* ``tensorboard_keras/``     the ``train/`` and ``validation/`` event files of
  Keras 3's ``TensorBoard`` callback.

The last two came from real training runs (a small MLP overfitting 150
digits); ``tests/data/make_log_fixtures.py`` wrote them and says how to
write them again.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

SAMPLE_LOGS = ("keras_log.csv", "lightning_metrics.csv", "hf_trainer_state.json",
               "tensorboard_pytorch", "tensorboard_keras")


def sample_log(name: str) -> Path:
    """The path of the sample log ``name`` (one of ``SAMPLE_LOGS``) on this machine.

    A regular install (a wheel, a clone, ``pip install -e``) keeps package
    data as ordinary files, so the path can be handed to ``rk.read_log`` or
    to the ``regkit diagnose`` command. The two TensorBoard logs are
    folders, as TensorBoard writes them.
    """
    if name not in SAMPLE_LOGS:
        raise ValueError(f"name must be one of {', '.join(SAMPLE_LOGS)}, got {name!r}")
    path = Path(str(resources.files(__name__) / name))
    if not path.exists():    # e.g. a zipped install: no file to hand to other tools
        raise FileNotFoundError(f"the sample log {name!r} is not a file on disk here "
                                f"({path}); reinstall regkit-course from a wheel or a clone")
    return path
