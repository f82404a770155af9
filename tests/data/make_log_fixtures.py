"""Write the framework log fixtures with the real libraries.

The TensorBoard logs notebook 08 shows are package data (regkit/course/data);
the rest live here in tests/data.

Not run by the tests (they read the stored files); run it by hand when a
fixture must change, in an environment that has the library:

    # PyTorch's SummaryWriter (needs torch and the tensorboard package)
    python tests/data/make_log_fixtures.py torch
    # Keras 3 (TensorBoard callback, CSVLogger, History as JSON)
    python tests/data/make_log_fixtures.py keras
    # Lightning 2 (CSVLogger and TensorBoardLogger of one run)
    python tests/data/make_log_fixtures.py lightning

Each run trains a small MLP (64-256-256-10) on 150 of scikit-learn's 8x8
digits for 60 epochs with Adam and no regularization, so that it overfits:
the validation loss falls, turns and climbs while the training loss keeps
falling. Seeds are fixed; the numbers still depend on the library version,
so the tests check verdicts and structure, not these values.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
COURSE_DATA = HERE.parent.parent / "regkit" / "course" / "data"   # notebook 08 reads these
EPOCHS, N_TRAIN, N_VAL, BATCH = 60, 150, 300, 32


def _data():
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order].astype(np.float32) / 16.0, y[order]
    mean, std = x[:N_TRAIN].mean(0), x[:N_TRAIN].std(0) + 1e-3
    x = (x - mean) / std
    return (x[:N_TRAIN], y[:N_TRAIN]), (x[N_TRAIN:N_TRAIN + N_VAL], y[N_TRAIN:N_TRAIN + N_VAL])


def torch_fixtures():
    """tensorboard_pytorch/ (once per epoch; course data) and tests' tb_pytorch_steps/.

    Beside each, ``<name>_logged.json`` records every value passed to
    ``add_scalar``, so a test can check the reader against the writer.
    """
    import torch
    from torch import nn
    from torch.utils.tensorboard import SummaryWriter

    (xt, yt), (xv, yv) = _data()
    xt, yt, xv, yv = map(torch.as_tensor, (xt, yt, xv, yv))
    for name, where, per_step in (("tensorboard_pytorch", COURSE_DATA, False),
                                  ("tb_pytorch_steps", HERE, True)):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                              nn.Linear(256, 10))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        out = where / name
        shutil.rmtree(out, ignore_errors=True)
        writer = SummaryWriter(log_dir=str(out))
        logged = {}

        def log(tag, value, step):
            writer.add_scalar(tag, value, step)
            # what the file should hold: the value rounded to float32, as stored
            logged.setdefault(tag, []).append([step, float(np.float32(value))])

        step = 0
        for epoch in range(EPOCHS if not per_step else 40):
            model.train()
            losses, correct = [], 0
            for i in torch.randperm(len(xt)).split(BATCH):
                opt.zero_grad()
                logits = model(xt[i])
                loss = loss_fn(logits, yt[i])
                loss.backward()
                opt.step()
                step += 1
                losses.append(loss.item())
                correct += (logits.argmax(1) == yt[i]).sum().item()
                if per_step and step % 2 == 0:          # training loss every 2 steps
                    log("train/loss", loss.item(), step)
                if per_step and step % 10 == 0:         # validation every 10 steps
                    with torch.no_grad():
                        log("val/loss", loss_fn(model(xv), yv).item(), step)
            if not per_step:
                model.eval()
                with torch.no_grad():
                    logits = model(xv)
                    log("Loss/train", float(np.mean(losses)), epoch)
                    log("Loss/val", loss_fn(logits, yv).item(), epoch)
                    log("Accuracy/train", correct / len(xt), epoch)
                    log("Accuracy/val", (logits.argmax(1) == yv).float().mean().item(), epoch)
        writer.close()
        for f in out.iterdir():                 # a stable name; the real one has host and time
            f.rename(out / "events.out.tfevents.1764900000.fixture.0.0")
        with open(HERE / f"{name}_logged.json", "w") as fh:
            json.dump(logged, fh)


def keras_fixtures():
    """tensorboard_keras/ (TensorBoard callback; course data), and in tests/data
    keras_training.log (CSVLogger) and keras_history.json (History.history)."""
    import keras

    (xt, yt), (xv, yv) = _data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(10)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    out = COURSE_DATA / "tensorboard_keras"
    shutil.rmtree(out, ignore_errors=True)
    history = model.fit(
        xt, yt, validation_data=(xv, yv), epochs=EPOCHS, batch_size=BATCH, verbose=0,
        callbacks=[keras.callbacks.TensorBoard(log_dir=str(out), write_graph=False,
                                               profile_batch=0),
                   keras.callbacks.CSVLogger(str(HERE / "keras_training.log"))])
    with open(HERE / "keras_history.json", "w") as fh:
        json.dump(history.history, fh, indent=1)
    for sub in out.iterdir():
        for f in sub.iterdir():
            f.rename(sub / f"events.out.tfevents.1764900000.fixture.0.{sub.name}.v2")


def lightning_fixtures():
    """lightning/metrics.csv (CSVLogger) and tb_lightning/ (TensorBoardLogger) of one run.

    Training loss and accuracy are logged per step and per epoch (Lightning
    then writes ``train_loss_step`` and ``train_loss_epoch``), validation
    once per epoch.
    """
    import lightning as L
    import torch
    from torch import nn

    (xt, yt), (xv, yv) = _data()
    loaders = [torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
        torch.as_tensor(x), torch.as_tensor(y)), batch_size=BATCH, shuffle=shuffle)
        for x, y, shuffle in ((xt, yt, True), (xv, yv, False))]

    class MLP(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256),
                                     nn.ReLU(), nn.Linear(256, 10))

        def _step(self, batch, split, **how):
            x, y = batch
            logits = self.net(x)
            loss = nn.functional.cross_entropy(logits, y)
            self.log(f"{split}_loss", loss, **how)
            self.log(f"{split}_acc", (logits.argmax(1) == y).float().mean(), **how)
            return loss

        def training_step(self, batch, _):
            return self._step(batch, "train", on_step=True, on_epoch=True)

        def validation_step(self, batch, _):
            self._step(batch, "val", on_epoch=True)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=1e-3)

    L.seed_everything(0)
    work = HERE / "_lightning_work"
    shutil.rmtree(work, ignore_errors=True)
    loggers = [L.pytorch.loggers.CSVLogger(work, name="csv"),
               L.pytorch.loggers.TensorBoardLogger(work, name="tb")]
    trainer = L.Trainer(max_epochs=40, logger=loggers, enable_progress_bar=False,
                        enable_checkpointing=False, log_every_n_steps=1,
                        enable_model_summary=False)
    trainer.fit(MLP(), *loaders)
    shutil.copy(work / "csv" / "version_0" / "metrics.csv", HERE / "lightning_metrics_real.csv")
    out = HERE / "tb_lightning"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    for f in (work / "tb" / "version_0").iterdir():
        name = ("events.out.tfevents.1764900000.fixture.0.0" if "tfevents" in f.name
                else f.name)
        shutil.copy(f, out / name)
    shutil.rmtree(work)


if __name__ == "__main__":
    {"torch": torch_fixtures, "keras": keras_fixtures,
     "lightning": lightning_fixtures}[sys.argv[1]]()
