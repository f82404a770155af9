# %% [markdown]
# # 08 · The capstone: an overfit detector that diagnoses and prescribes
#
# **After this notebook you can**
# - read a run's training and validation curves the way the detector does:
#   the gap, the turn of the validation loss, the trends, the level;
# - make a network memorise on purpose and have `rk.diagnose` name the problem
#   and prescribe;
# - apply the prescriptions one by one with `rk.compare` and measure what each
#   one buys, on clean digits and on digits with wrong labels;
# - diagnose logs from Keras, PyTorch (TensorBoard), Lightning, Hugging Face and
#   scikit-learn, in Python or from the shell, and read the advice in that
#   library's own code;
# - carry every piece of regkit over to PyTorch, Keras and scikit-learn, minding
#   the conventions that differ.
#
# **Time:** about 80 minutes. Chapter sections 2.2, 2.3, 9 and 10.1.

# %%
# Set-up. Where regkit is missing (Colab, a fresh Jupyter) this installs the
# course's package first; after `make lab` or a pip install it does nothing.
import importlib, importlib.util, subprocess, sys
if importlib.util.find_spec("regkit") is None:
    print("regkit is not installed here: installing regkit-course from GitHub ...")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "regkit-course[course] @ git+https://github.com/regkit-course/regularization-generalization"],
                   check=True)
    importlib.invalidate_caches()
    print("installed regkit", importlib.import_module("regkit").__version__)

# %%
import numpy as np, matplotlib.pyplot as plt, regkit as rk
from regkit.course.teach import setup_notebook, show_source, rounded
setup_notebook()

# %% [markdown]
# ## 1. What the detector reads
#
# Every technique of this course fights the same enemy, and each notebook
# watched for it by eye: training keeps improving while validation does not.
# The detector turns that look into numbers. For a run of $T$ epochs it has,
# per epoch $t$, the training and validation losses $L^{tr}_t, L^{val}_t$ and
# accuracies $a^{tr}_t, a^{val}_t$, all measured in evaluation mode. From them:
#
# - the **best epoch** $t^\ast = \arg\min_t L^{val}_t$, the weights early
#   stopping would keep;
# - the **generalisation gap** $g = a^{tr}_{t^\ast} - a^{val}_{t^\ast}$ (and the
#   same at the last epoch): how much better the model does on data it has
#   seen. It is an *accuracy* gap, training minus validation; notebook 01's
#   gap was a *loss* gap, validation minus training. Both are positive when
#   the model does better on what it has seen, and the report prints both;
# - the **rise** of validation loss since its minimum,
#   $r = \big(L^{val}_T - \min_t L^{val}_t\big) / \min_t L^{val}_t$, and for how
#   many epochs it has been rising;
# - the **trend** of each loss over the last fifth of the run: the slope $s$ of
#   a straight line through it, times the window's span (its length minus
#   one epoch), divided by the
#   curve's level. It tells "still learning" from "settled";
# - the **level**: the final training accuracy $a^{tr}_T$.
#
# Levels are read on lightly smoothed curves (a running median over 5 epochs,
# so one bad epoch cannot sway a verdict), and the slope is the *Theil-Sen*
# estimate, the median of the slopes $\frac{y_j - y_i}{j - i}$ over all pairs of
# epochs $i < j$, which a single outlier can barely move (on a straight
# line, not at all):

# %%
from regkit.detector import rules as detector
show_source(detector.robust_slope)

# %% [markdown]
# The chapter's signals (sections 2.2 and 2.3) become rules, tried in order;
# the first one that fires gives the verdict:
#
# 1. **unstable**: NaN, a training loss climbing back up, or zigzagging:
#    nothing else can be read from such a curve;
# 2. a **poor level** ($a^{tr}_T < 80\%$): *not converged* if a loss is
#    still falling, else *underfitting*. Bias comes before variance: while the
#    model cannot fit its own training set, the gap is not the problem to fix.
#    A run that early stopping ended because validation stopped improving is
#    not "still learning", whatever its training loss does. And when
#    validation accuracy is more than 10 points *above* training accuracy, the
#    report says so: a model that is too small does not do that;
# 3. **overfitting**: $g > 10$ points, or $g > 5$ points together with a
#    supporting sign (training accuracy at 99%, or 95% within 3 epochs, or
#    weights above 100), or validation loss up more than 10% for 3 epochs, or
#    validation loss not improved for 3 epochs since the best one while the
#    training loss still falls by more than 5% (the curves parting);
# 4. **not converged**: validation loss still falling by more than 5% while
#    the training loss falls too (and, before every rule but the
#    instability checks: fewer than 5 epochs
#    is "not converged", there is no trend to read yet);
# 5. otherwise a **good fit**, whose sentence says whether the training loss
#    has settled or still falls.
#
# (The report writes accuracy gaps in %: they are differences of two
# accuracies, percentage points, which the text calls "points".)
#
# Every number above is a field of `rk.Thresholds`, documented with the reason
# for its value, so you can change it (digits are easy: 80% is a low bar for
# them). Here is the heart of the decision:

# %%
show_source(detector._decide, docstring=False)


# %% [markdown]
# ## 2. The chapter's examples, diagnosed
#
# The chapter describes its signals with a few numbers: train 99% vs
# validation 85% (overfitting), validation loss 0.5 at epoch 10, 0.4 at 20,
# 0.6 at 30 (it turned), train 65% vs validation 63% (underfitting), and a loss
# stuck between 1.2 at epoch 5 and 1.1 at epoch 50 (a plateau). We draw curves
# through exactly those points (straight lines between them) and hand them to
# `rk.diagnose` as a Keras-style dict (`loss`, `val_loss`, `accuracy`,
# `val_accuracy`). The third run is the chapter's goal: 92% train, 88% validation.

# %%
# NBVAL_CHECK_OUTPUT
def through(points, epochs):
    """A curve over `epochs` epochs through the chapter's (epoch, value) points."""
    t, v = zip(*points)
    return np.interp(np.arange(epochs), t, v).round(4).tolist()

chapter_runs = {
    "overfitting (2.2)": dict(
        loss=through([(0, 1.2), (10, 0.3), (20, 0.1), (30, 0.05)], 31),
        val_loss=through([(0, 1.2), (10, 0.5), (20, 0.4), (30, 0.6)], 31),
        accuracy=through([(0, 0.5), (10, 0.9), (20, 0.97), (30, 0.99)], 31),
        val_accuracy=through([(0, 0.48), (10, 0.82), (20, 0.86), (30, 0.85)], 31)),
    "underfitting (2.3)": dict(
        loss=through([(0, 1.5), (5, 1.2), (50, 1.1)], 51),
        val_loss=through([(0, 1.52), (5, 1.23), (50, 1.13)], 51),
        accuracy=through([(0, 0.3), (5, 0.6), (50, 0.65)], 51),
        val_accuracy=through([(0, 0.3), (5, 0.58), (50, 0.63)], 51)),
    "the goal: 92% / 88%": dict(
        loss=through([(0, 1.5), (10, 0.4), (20, 0.3), (30, 0.3)], 31),
        val_loss=through([(0, 1.5), (10, 0.45), (20, 0.38), (30, 0.38)], 31),
        accuracy=through([(0, 0.5), (10, 0.88), (20, 0.92), (30, 0.92)], 31),
        val_accuracy=through([(0, 0.5), (10, 0.85), (20, 0.88), (30, 0.88)], 31)),
}
for name, log in chapter_runs.items():
    d = rk.diagnose(log)
    print(f"{name:20s} -> {d.verdict}")
    for reason in d.reasons:
        print(f"{'':23s}because {reason}")

# %% [markdown]
# All three verdicts match the chapter. Note that a validation loss a little
# above the training loss, as in the underfitting run, is normal and not an
# overfitting sign: its accuracy gap is 2 points and validation keeps
# improving. Without the level rule this run would even be called a good fit;
# it is the level (65%), judged first, that makes it underfitting.
#
# ## 3. Checked: the evidence by hand
#
# The detector is only useful if its numbers mean what they say. On the
# overfitting run we recompute three of them with plain NumPy: the best epoch,
# the gap there (on the smoothed curves, as the detector reads them), and the
# Theil-Sen slope of the training loss over its trend window.

# %%
# NBVAL_CHECK_OUTPUT
log = chapter_runs["overfitting (2.2)"]
d = rk.diagnose(log)
ev = d.evidence
sm = lambda key: detector.smooth(np.array(log[key]), 5)
best = int(np.argmin(log["val_loss"]))
w = ev["trend_window"]
tail = np.array(log["loss"][-w:])
pairs = [(tail[j] - tail[i]) / (j - i) for i in range(w) for j in range(i + 1, w)]
by_hand_trend = np.median(pairs) * (w - 1) / np.median(tail)
print("best epoch          detector:", ev["best_epoch"], "  by hand:", best)
print("gap at best epoch   detector:", rounded(ev["acc_gap_best"], 4),
      "  by hand:", rounded((sm("accuracy") - sm("val_accuracy"))[best], 4))
print("train-loss trend    detector:", rounded(ev["train_trend"], 4),
      "  by hand:", rounded(by_hand_trend, 4))

# %% [markdown]
# ## 4. A network that memorises
#
# Now a real run. We take **100** of scikit-learn's 8×8 digits (10 per class),
# as images so that augmentation can work on them later, and a network far
# wider than they need: `Flatten`, two hidden layers of 256 ReLU units, 10
# outputs; 85,000 weights for 100 images. Adam, learning rate $10^{-3}$,
# batches of 32, 100 epochs, no regularization at all. Validation and test sets
# have 359 images each. These settings live in one place,
# `regkit.course.experiments.capstone.SETTINGS`, so every run of this notebook (and the
# figures of `make figures`) uses the same ones.

# %%
from regkit.course.experiments import capstone as cap
from regkit.course.plots import capstone as capplots
from regkit.detector.comparison import mlp
print(cap.SETTINGS)
data, _ = cap.capstone_data()              # 100 digits as (n, 8, 8) images
print(data)

# %%
s = cap.SETTINGS
rk.seed(s["seed"])
build = mlp(64, hidden=s["hidden"], n_out=10)   # build(dropout=0.0, batchnorm=False, l2=0.0)
baseline = build()
history = rk.fit(baseline, data.x_train, data.y_train, loss=rk.SoftmaxCrossEntropy(),
                 optimizer=rk.Adam(baseline.parameters(), lr=s["lr"]), epochs=s["epochs"],
                 batch_size=s["batch_size"], validation_data=(data.x_val, data.y_val),
                 rng=s["seed"], progress=False)

# %%
accuracy = lambda model, x, y: float(np.mean(model.predict(x).argmax(axis=1) == y))
base_acc = {split: accuracy(baseline, getattr(data, f"x_{split}"), getattr(data, f"y_{split}"))
            for split in ("train", "val", "test")}
print("on this machine: train {train:.1%}   validation {val:.1%}   test {test:.1%}".format(**base_acc))

# %% [markdown]
# The last digit of those numbers depends on your CPU: float32 rounding
# differs between processors, and 100 epochs of training carry the
# difference along. (Training from another seed moves them more.) What the
# text below relies on is checked here, against the range we measured over
# seeds 0-4 and several machines (AVX-512, AVX2, other BLAS kernels, 1 and 2
# threads):

# %%
# NBVAL_CHECK_OUTPUT
from regkit.course.teach import band, claim
print(f"weights: {sum(p.data.size for p in baseline.parameters()):,} for {len(data.x_train)} images")
claim("every training image right: train accuracy 100%", base_acc["train"] == 1.0,
      measured=f"train accuracy {base_acc['train']:.1%}")
band("validation accuracy", base_acc["val"], 0.87, 0.94, fmt=".0%")
band("test accuracy", base_acc["test"], 0.87, 0.94, fmt=".0%")

# %% [markdown]
# **Our numbers: 100% train, about 91% validation and test** (89-92% over
# seeds 0-4 and machines). The chapter's memorising model scores 95% on
# training data and 60% on test data. Ours memorises completely (every
# training image right) but pays far less for it: 8×8 digits are an easy problem, and even a model that
# has memorised ten examples per class recognises nine new digits in ten. The
# gap is real (8 to 11 points, depending on the seed) but modest. Keep that
# in mind: we will see what each cure buys here, and then make memorisation
# expensive on purpose (section 6).
#
# What does the detector say? Passing `model=` lets it also look at the weights.

# %%
diagnosis = rk.diagnose(history, model=baseline)
print(diagnosis)

# %% [markdown]
# The report's numbers are this machine's. The verdict, the memorised
# training set and the prescriptions are the same on every machine and seed
# we tried; the checks:

# %%
# NBVAL_CHECK_OUTPUT
ev = diagnosis.evidence
claim("verdict: overfitting", diagnosis.verdict == "overfitting", measured=diagnosis.verdict)
claim("with a memorised training set (train accuracy 100%)", ev["train_acc_max"] == 1.0,
      measured=f"train accuracy {ev['train_acc_max']:.1%}")
band("accuracy gap (train - val), the larger of best and last epoch",
     max(ev["acc_gap_best"], ev["acc_gap_last"]), 0.06, 0.12, fmt=".0%")
band("best epoch (lowest validation loss)", diagnosis.best_epoch, 30, 70)
print("prescriptions, in order:")
for i, s in enumerate(diagnosis.suggestions, 1):
    print(f"  {i}. {s.split(':')[0].split(' (')[0]}")

# %%
fig = diagnosis.plot()
plt.show()

# %% [markdown]
# Overfitting: a gap above 5 points *with* a memorised training set (on a
# seed where the gap passes 10 points, the gap alone).
#
# The report names two epochs, each with one meaning throughout the course.
# The **best epoch** is the one you would keep: the lowest validation loss,
# or the epoch early stopping restored (the headline says which). The epoch
# where validation loss **turned** is where its rise is measured from: the
# last epoch at the minimum of the *smoothed* curve. On a flat bottom that
# is the bottom's end, so it can come a few epochs after the best one (here
# 45 against 43); a rise has to last 3 epochs after it to count. In the figure, the
# validation loss bottoms out around the middle of the run (epoch 39 to 60
# over seeds 0-4) while the training loss goes on to zero. The prescriptions
# know what the run used (`History.config` records it): no batch norm, images,
# no L2, no dropout, no early stopping. They follow the chapter's priority
# with one exception, which this notebook and notebook 04 measured: the
# chapter puts batch norm first, but on a network with one or two hidden
# layers, like this one, it did not close the gap in any of our runs (section
# 5 and 6 below), while on a deeper network it let training use learning
# rates 3 to 10 times larger (notebook 04). So for a shallow network the
# detector moves batch norm after dropout and says why; from three hidden
# layers on it comes first, as in the chapter. A rule of thumb is a prior,
# and the measurements of your own kind of network should move it. Now let
# us take the techniques one at a time.
#
# ## 5. The prescriptions, one at a time: `rk.compare`
#
# `rk.compare` trains the same architecture from the **same initial weights**
# with the **same batches**, once per technique, so any difference in the
# curves comes from the technique alone. In the chapter's order: batch norm,
# augmentation, L2 ($\lambda = 10^{-3}$), dropout ($p = 0.5$), early stopping
# (patience 20, best weights restored), then all of them together.
#
# One change to the augmentation `rk.compare` uses by default
# (`regkit.detector.comparison.default_augment`: shifts of 1 pixel and
# rotations up to 10°). On an 8×8 image one pixel is an eighth of the width,
# and in our trials the wide MLP lost several points with them. We use
# rotations up to ±15°, zoom up to ±10% and a little pixel noise instead:

# %%
show_source(cap.digit_augment, docstring=False)

# %%
show_source(cap.run_compare, docstring=False)

# %%
clean = cap.run_compare(data)              # 7 runs, a few seconds

# %%
clean_rows = cap.summary_rows(clean, data)
print("on this machine:")
print("technique       train   val    test   gap     val loss  best  verdict")
for r in clean_rows:
    print(f"{r['technique']:14s}  {r['train_acc']:.3f}  {r['val_acc']:.3f}  {r['test_acc']:.3f}"
          f"  {r['gap']:+.3f}  {r['val_loss']:.3f}     {r['best_epoch']:3d}   {r['verdict']}")

# %%
fig = clean.plot()
plt.show()

# %% [markdown]
# One image of the 359 is 0.28 points, and a differently rounding CPU or
# another seed moves each row by a few images, so read the table for what
# survives that. We repeated the comparison with seeds 0-4 on several
# machines; the checks below are what held in every one of those runs:

# %%
# NBVAL_CHECK_OUTPUT
by = {r["technique"]: r for r in clean_rows}
shift = {t: r["test_acc"] - by["none"]["test_acc"] for t, r in by.items()}
claim("every run gets at least 99 of its 100 training images right",
      min(r["train_acc"] for r in clean_rows) >= 0.99,
      measured=str({t: r["train_acc"] for t, r in by.items()}))
claim("every run has a gap (train - val) of 6 to 12 points",
      all(0.06 <= r["gap"] <= 0.12 for r in clean_rows),
      measured=str({t: round(r["gap"], 4) for t, r in by.items()}))
claim("no technique moves test accuracy more than 4 points away from 'none'",
      max(abs(v) for v in shift.values()) <= 0.04,
      measured=str({t: round(v, 4) for t, v in shift.items()}))
claim("L2 and early stopping lower the validation loss; batch norm and augmentation raise it",
      max(by["l2"]["val_loss"], by["early_stopping"]["val_loss"]) < by["none"]["val_loss"]
      < min(by["batchnorm"]["val_loss"], by["augmentation"]["val_loss"]),
      measured=str({t: round(r["val_loss"], 4) for t, r in by.items()}))
claim("the detector says 'overfitting' for all seven runs",
      all(r["verdict"] == "overfitting" for r in clean_rows),
      measured=str({t: r["verdict"] for t, r in by.items()}))

# %% [markdown]
# Read the table honestly. Every run still gets (nearly) all 100 training
# images right, and the accuracy gap barely moves: 7 to 11 points in every
# run and seed we tried. No technique moves test accuracy by more than 4
# points (14 images) from the unregularised run, on any seed; averaged
# over seeds 0-4, dropout and the combination gain one to two points (seed by
# seed anywhere from a fraction of a point lost to 3 points won), and batch norm,
# augmentation and L2 alone change nothing that the noise of a 359-image test
# set could not explain. The validation *loss* moves a little more
# systematically: L2 and early stopping lower it by 0.01-0.03 on every seed
# (the model is less confidently wrong), while batch norm and augmentation
# raise it.
#
# That is a real lesson: **when memorising costs little, regularization has
# little to win.** Ten clean examples per class leave regularization little
# to fix: what limits the test accuracy is the kinds of handwriting those 100
# images never show (with 300 digits the same network reaches 96%, answer 1
# below), not memorisation. And the detector keeps saying "overfitting" for
# the combined run (a gap of 8 to 10 points with a memorised training set),
# prescribing the next steps (stronger augmentation, L2 at $10^{-2}$, dropout
# 0.6-0.7; printed below); on this data, the *Try this* questions show, those
# steps trade training accuracy for a point or two *less* test accuracy.

# %%
d_clean_all = rk.diagnose(clean.histories["all"], model=clean.models["all"])
print("verdict:", d_clean_all.verdict)
print(*d_clean_all.suggestions[:3], sep="\n")

# %% [markdown]
# The first suggestion names the augmentation this run already uses
# (rotations, zoom, a little noise): the run's record tells the detector that
# an augmentation was on, not which one, so of that suggestion only the
# cutout is new here.

# %% [markdown]
# ## 6. When memorising hurts: wrong labels
#
# The chapter's "95% train, 60% test" model has memorised things that do not
# generalise. The cleanest way to create such things is to **give the network
# wrong answers**: we take 300 digits and replace 30% of their training labels
# by a random other class (validation and test labels stay correct). A model
# that fits the training set perfectly learns every one of them (30% of 300
# is 90 on average; the cell below prints how many this draw changed). These
# runs need fewer epochs (70): the combined one usually stops itself before
# (with seed 0 after 58 epochs; with seeds 2 and 3 it uses all 70).

# %%
noisy, y_true = cap.capstone_data(300, label_noise=0.3)
print("training labels changed:", int(np.sum(noisy.y_train != y_true)), "of", len(y_true))
show_source(cap.flip_labels, docstring=False)

# %%
wrong = cap.run_compare(noisy, epochs=70)  # 7 runs, several seconds

# %%
noisy_rows = cap.summary_rows(wrong, noisy, y_true)
print("on this machine:")
print("                train (given  true labels)  val    test   gap     best  verdict")
for r in noisy_rows:
    print(f"{r['technique']:14s}        {r['train_acc']:.3f}  {r['train_true_acc']:.3f}"
          f"         {r['val_acc']:.3f}  {r['test_acc']:.3f}  {r['gap']:+.3f}   {r['best_epoch']:3d}"
          f"  {r['verdict']}")

# %%
fig = wrong.plot()
plt.show()

# %% [markdown]
# Here a seed or a machine moves the test accuracies by a few points (the
# runs without early stopping fit all those contradictions, and which wrong labels
# they bend around first is a matter of rounding), but the story does not
# move. The ranges below are what we measured over seeds 0-4 and the same
# machines as above, with a margin; the comparisons held in every one of
# those runs:

# %%
# NBVAL_CHECK_OUTPUT
by = {r["technique"]: r for r in noisy_rows}
test = {t: r["test_acc"] for t, r in by.items()}
gain = {t: round(v - test["none"], 4) for t, v in test.items()}
claim("no regularization learned every wrong label: 100% of the given labels, and only "
      "the 68% left alone right against the true ones",
      by["none"]["train_acc"] == 1.0 and by["none"]["train_true_acc"] == np.mean(noisy.y_train == y_true),
      measured=f"{by['none']['train_acc']:.3f}, {by['none']['train_true_acc']:.3f}")
band("no regularization, test accuracy", test["none"], 0.67, 0.77, fmt=".0%")
band("all five, test accuracy", test["all"], 0.86, 0.94, fmt=".0%")
band("all five, training accuracy against the given labels", by["all"]["train_acc"], 0.68, 0.79, fmt=".0%")
band("all five, training accuracy against the true labels", by["all"]["train_true_acc"], 0.89, 0.96, fmt=".0%")
claim("all five together beat no regularization by more than 10 points, and beat every "
      "single technique",
      gain["all"] > 0.10 and test["all"] == max(test.values()), measured=str(gain))
claim("all five score lower on the given training labels than on validation",
      by["all"]["train_acc"] < by["all"]["val_acc"], measured=f"gap {by['all']['gap']:+.3f}")
claim("early stopping alone and dropout alone each gain more than 3 points",
      min(gain["early_stopping"], gain["dropout"]) > 0.03, measured=str(gain))
band("early stopping alone, test accuracy", test["early_stopping"], 0.75, 0.87, fmt=".0%")
band("dropout alone, test accuracy", test["dropout"], 0.80, 0.89, fmt=".0%")
claim("batch norm alone loses test accuracy", gain["batchnorm"] < 0, measured=str(gain))
claim("augmentation alone and L2 alone stay within 4 points of no regularization",
      max(abs(gain["augmentation"]), abs(gain["l2"])) <= 0.04, measured=str(gain))
claim("verdicts: 'overfitting' for none, batch norm, augmentation, L2 and early stopping",
      all(by[t]["verdict"] == "overfitting"
          for t in ("none", "batchnorm", "augmentation", "l2", "early_stopping")),
      measured=str({t: r["verdict"] for t, r in by.items()}))
claim("all five: never 'good fit'", by["all"]["verdict"] != "good fit",
      measured=by["all"]["verdict"])

# %% [markdown]
# Now the chapter's picture appears, with our own numbers (ranges over seeds
# 0-4 and machines):
#
# - **no regularization: 100% train, 70-74% test.** The network learned
#   every wrong label: it agrees with the true labels on only 68% of its own
#   training images, exactly the ones whose labels we left alone;
# - **everything together: 88-91% test**, 14 to 20 points better. Its
#   training accuracy against the labels it was given is 70-76%, *below*
#   validation: it refused to learn the wrong labels. Against the true labels
#   it gets 90-94% of its training images right: it **corrected** most of its
#   teacher's mistakes;
# - early stopping alone already gets 78-84%: the network learns the
#   consistent pattern (the true digits) before it starts memorising the
#   exceptions, and stopping at the best validation epoch (epoch 19 on this machine)
#   keeps that state. Dropout alone gets a little further (83-85%; ahead of
#   early stopping on this machine) by slowing the memorising down;
# - batch norm alone makes things worse (66-70%, a few points below no
#   regularization on every seed) and augmentation alone does not help
#   (70-75%): both make fitting easier or longer, and on their own nothing
#   stops the network from fitting the noise too. Inside the combination
#   they differ, too: try the dashboard below with batch norm switched off
#   in "all" (on our seeds that scored a little higher), then augmentation.
#
# Read the verdict column with the gap beside it. Early stopping alone is
# called "overfitting" on every seed, although its gap is small and on some
# seeds *negative*: after its best epoch the validation loss rose for the
# patience's 20 epochs while the network started on the wrong labels. The
# loss sees that memorising; an accuracy against wrong labels hides it.
# Dropout alone gets a different verdict on different seeds (good fit, not
# converged, and once overfitting): its curves sit near every threshold, so
# do not read a ranking into one run's verdict.
#
# The gap column also shows a trap: "train minus validation" only means
# something when the training labels are right. The best model has a gap of
# −22 points on this machine (−13 to −22 over seeds). Ask the detector about
# it. (The detector reads the last epochs of the curves, smoothed; the table
# reads the restored best model. So their accuracies and gaps differ a little
# for the same run.)

# %%
d_all = rk.diagnose(wrong.histories["all"], model=wrong.models["all"])
print(d_all._headline())
print("because", d_all.reasons[0])
print("first prescription:", d_all.suggestions[0])

# %% [markdown]
# Those numbers are this machine's. What holds on every seed and machine we
# tried is below; which verdict it is depends on how the run ended. With
# seeds 0, 1 and 4 early stopping ended it, and the verdict is *underfitting*
# (training accuracy under 80%, and validation stopped improving), with the
# labels named first; with seeds 2 and 3 it used all 70 epochs, and the
# verdict is *not converged*: the training accuracy is still under 80% and
# the training loss is still falling by more than 5% (a poor level is judged
# before any overfitting sign, so "overfitting" cannot come up here):

# %%
# NBVAL_CHECK_OUTPUT
ev = d_all.evidence
stopped = wrong.histories["all"].stopped_epoch is not None
claim("when early stopping ended the run: 'underfitting', else 'not converged'",
      d_all.verdict == ("underfitting" if stopped else "not converged"), measured=d_all.verdict)
claim("training accuracy against the given labels is poor (< 80%) and validation accuracy "
      "is more than 10 points above it",
      ev["train_acc_last"] < 0.80 and ev["acc_gap_last"] < -0.10,
      measured=f"train accuracy {ev['train_acc_last']:.3f}, gap {ev['acc_gap_last']:+.3f}")
claim("when early stopping ended the run, the first prescription is to check the labels",
      d_all.suggestions[0].startswith("Check the training labels") or not stopped,
      measured=d_all.suggestions[0][:40])
band("epoch early stopping restored", d_all.best_epoch, 15, 68)

# %% [markdown]
# The training accuracy is low because the network refuses to learn the
# wrong labels, which is exactly what early stopping protected (it restored
# epoch 37 here; 17 to 66 over seeds 0-4). The detector cannot know that 30%
# of the labels are wrong, and its underfitting steps (lower the
# regularization, a larger model) would let the network learn them. But it
# sees the one sign a too-small model never gives: validation accuracy far
# *above* training accuracy. So its first prescription is to check the
# labels and keep the regularization if they are wrong. A rule is only as
# good as its assumptions; this one says when they may not hold.
#
# **Before and after, side by side** (the gap written above each group):

# %%
fig = capplots.before_after(clean_rows, noisy_rows)
plt.show()

# %% [markdown]
# **Inline question 1.** On the wrong-labels data, the run with all five techniques has a training
# accuracy of about 70-76% against the labels it was given, 13 to 22 points
# *below* validation, and the detector calls it "underfitting" when early
# stopping ended it. Should you follow the underfitting prescriptions (less
# regularisation, a bigger model)? What do the numbers in this section tell
# you about the model, and what would you do next?
#
# *Your answer:* (double-click this cell and write it here)

# %% [markdown]
# <details><summary><b>Model answer</b> (open it after you have written yours)</summary>
#
# No. The low training accuracy is measured against labels of which 30% are
# wrong; against the *true* labels the model gets 90-94% of its training
# images right and 88-91% of the test set. It refuses to learn the wrong
# labels, which is exactly what the regularisation is for. Less
# regularisation or a bigger model would let it memorise them again (the run
# without regularisation reaches 100% on the given labels and only 70-74% on
# test). The sign that the "underfitting" rule's assumption (correct labels)
# fails is the one the detector now reports first: validation accuracy far
# *above* training accuracy, which a model that is too small does not
# produce. Next: inspect the training examples the model disagrees with (most
# are the flipped labels), clean or relabel them, and keep the regularisation.
# Then measure again on a clean validation set.
#
# </details>

# %% [markdown]
# | data | run | train | test | gap (train − val) |
# |---|---|---|---|---|
# | chapter | memorises | 95% | 60% | |
# | chapter | regularised | 92% | 88% (validation) | |
# | 100 clean digits | no regularization | 100% | 89-92% | +8 to +11 |
# | 100 clean digits | all five | 99-100% | 91-93% | +8 to +10 |
# | 300 digits, 30% wrong labels | no regularization | 100% (68% of true labels) | 70-74% | +20 to +25 |
# | 300 digits, 30% wrong labels | all five | 70-76% (90-94% of true labels) | 88-91% | −13 to −22 |
#
# (Ranges over seeds 0-4 and the machines we tried: AVX-512 and AVX2, several
# BLAS kernels, 1 and 2 threads.)
#
# ## 7. Live: switch the techniques on and off
#
# The small-multiples figures above are the static version. Below, five check
# boxes and a choice of data. The 14 runs trained above answer at once; any
# other combination (say batch norm + early stopping, on wrong labels) is
# trained on the spot, which takes up to about a second, and is then kept.

# %%
from regkit.course.widgets.capstone import capstone_dashboard
names = ("100 clean digits", "300 digits, 30% wrong labels")
capstone_dashboard(dict(zip(names, (clean, wrong))), dict(zip(names, (data, noisy))),
                   overrides={names[1]: {"epochs": 70}}, on=cap.TECHNIQUES, labels=names[1])


# %% [markdown]
# ## 8. Exercises
#
# **Exercise 1: the detector in two rules.** Write `classify_run(train_acc,
# val_acc)` returning `"underfitting"`, `"overfitting"` or `"good fit"` from a
# run's final accuracies: below 80% training accuracy is underfitting; else a
# gap (train − validation) above 10 points is overfitting; else a good fit.
# The order of the rules matters, and so does the sign of the gap.

# %%
def classify_run(train_acc, val_acc):
    return "good fit"                      # TODO: two rules, in the right order


from regkit.course.exercises.detector import check_classify_run, check_gap_at_best
print(check_classify_run(classify_run))


# %% [markdown]
# **Exercise 2: the gap at the best epoch.** Write `gap_at_best(val_loss,
# train_acc, val_acc)` for per-epoch lists (as in a Keras `History.history`):
# return `(best_epoch, gap)`, where `best_epoch` is the 0-based epoch with the
# lowest validation loss and `gap` is train minus validation accuracy at that
# epoch. (The detector does the same on smoothed curves.)

# %%
def gap_at_best(val_loss, train_acc, val_acc):
    best_epoch = len(val_loss) - 1         # TODO: not the last epoch
    return best_epoch, train_acc[best_epoch] - val_acc[best_epoch]


print(check_gap_at_best(gap_at_best))


# %% jupyter={"source_hidden": true} tags=["solution"]
# NBVAL_CHECK_OUTPUT
# One solution (the checker's reference answers are in regkit/course/exercises/detector.py).
def solution_classify_run(train_acc, val_acc):
    if train_acc < 0.80:                   # level first: bias before variance
        return "underfitting"
    if train_acc - val_acc > 0.10:         # training above validation
        return "overfitting"
    return "good fit"


def solution_gap_at_best(val_loss, train_acc, val_acc):
    best = int(np.argmin(val_loss))        # first epoch with the lowest validation loss
    return best, train_acc[best] - val_acc[best]


print(check_classify_run(solution_classify_run))
print(check_gap_at_best(solution_gap_at_best))

# %% [markdown]
# ## 9. Logs from other frameworks, and the shell
#
# The detector reads any log with a training and a validation curve. Two small
# logs ship inside the course's package (the tests read them too), found with
# `sample_log`, so this works wherever the package is installed: a Keras
# `CSVLogger` file (one row per epoch: `epoch,accuracy,loss,val_accuracy,val_loss`)
# and a PyTorch Lightning `metrics.csv`, where training and validation values
# sit on separate rows with blank cells. `rk.read_log` shows what the detector
# makes of them: the same four curves either way.

# %%
# NBVAL_CHECK_OUTPUT
from regkit.course.data import sample_log
keras_log, lightning_log = sample_log("keras_log.csv"), sample_log("lightning_metrics.csv")
for path in (keras_log, lightning_log):
    curves = rk.read_log(path)
    print(path.name, {k: len(v) for k, v in curves.items()})

# %%
# NBVAL_CHECK_OUTPUT
print(rk.diagnose(keras_log))

# %% [markdown]
# The Keras run overfits: its validation loss turned at epoch 17 and rose 75%
# while training accuracy reached 99.6%. Look at the suggestions: they are
# Keras code (`keras.layers.BatchNormalization()`,
# `kernel_regularizer=keras.regularizers.L2(5e-4)`,
# `EarlyStopping(..., restore_best_weights=True)`), because the file's column
# names say Keras wrote it. The evidence and the verdict do not depend on the
# library; the advice does, and so do the numbers in it.
#
# ### The same penalty, four numbers
#
# "Add L2 at λ = 1e-3" means regkit's `rk.L2(1e-3)`: the penalty
# λ/2 · Σw² added to the mean loss of a batch, whose gradient is λ·w. Each
# library writes that same penalty with its own number:
#
# - Keras' `regularizers.L2(l2)` adds l2 · Σw², without the ½, so l2 = λ/2;
# - PyTorch's `SGD` and `Adam` with `weight_decay=wd` add wd·w to the
#   gradient, so wd = λ (its `AdamW` decays the weights apart from the
#   gradient: a different knob, with no single equivalent under Adam);
# - scikit-learn's `MLPClassifier(alpha=a)` divides the penalty by the rows
#   of each gradient step, the batch size, so a = λ × batch size.
#
# Pasting regkit's number into Keras doubles the penalty; pasting it into
# scikit-learn makes it 200 times weaker at the default batch of 200. The
# detector converts in one place, `regkit.detector.frameworks.l2_in`, which
# the tests check against PyTorch's and scikit-learn's own arithmetic:

# %%
# NBVAL_CHECK_OUTPUT
from regkit.detector.frameworks import l2_in, num
for framework in ("regkit", "keras", "pytorch", "sklearn"):
    print(f"{framework:8s} λ = 1e-3 is written {num(l2_in(framework, 1e-3))}")

# %% [markdown]
# ### One log from each library
#
# The course ships a log from each common source, all from small runs that
# overfit on purpose: event files that PyTorch's `SummaryWriter` wrote, the
# `train/` and `validation/` event folders of Keras' `TensorBoard` callback, a
# Hugging Face `Trainer` state (`trainer_state.json`, evaluated every 50 steps
# and stopped early), and the Lightning `metrics.csv` from above. TensorBoard
# logs are read without TensorFlow; a run logged every few steps becomes one
# point per validation, with the training values averaged over the steps
# before it. For each we print the verdict, the library the advice is written
# for, and its L2 suggestion:

# %%
# NBVAL_CHECK_OUTPUT
import textwrap
logs = {name: sample_log(name) for name in ("tensorboard_pytorch", "tensorboard_keras",
                                            "hf_trainer_state.json", "lightning_metrics.csv")}
for name, path in logs.items():
    d = rk.diagnose(path)
    l2_advice = next((s for s in d.suggestions if "L2" in s), "-")
    print(f"{name}: {d.verdict}, advice written for {d.framework}")
    print(textwrap.indent(textwrap.fill(l2_advice, 86), "    "))

# %% [markdown]
# The Lightning run is a good fit, so its only L2 line is the tuning hint; the
# other three overfit. A log does not always say which library wrote it, and
# you may want the advice for another one (to move a model, or to compare):
# `rk.diagnose(path, framework="lightning")`, or `--framework` in the shell.
#
# A scikit-learn MLP keeps only its training loss (`loss_curve_`) and, with
# `early_stopping=True`, a validation *score*: no pair of curves to compare.
# `rk.detector.sklearn_curves` trains a copy of it one epoch at a time
# (`partial_fit`) and records the four curves; the estimator you pass is left
# untouched. Here a wide `MLPClassifier` on 150 digits, 60 epochs:

# %%
from sklearn.neural_network import MLPClassifier
from sklearn.datasets import load_digits
x_sk, y_sk = load_digits(return_X_y=True)
order = np.random.default_rng(0).permutation(len(x_sk))
x_sk, y_sk = x_sk[order] / 16.0, y_sk[order]
sk_mlp = MLPClassifier(hidden_layer_sizes=(256, 256), alpha=1e-4, random_state=0)
curves = rk.detector.sklearn_curves(sk_mlp, x_sk[:150], y_sk[:150], x_sk[150:450],
                                    y_sk[150:450], epochs=60)
d_sk = rk.diagnose(curves)
print(d_sk.verdict, "| advice written for", d_sk.framework)
for i, line in enumerate(d_sk.suggestions, 1):
    print(textwrap.fill(line, 90, initial_indent=f"{i}. ", subsequent_indent="   "))

# %% [markdown]
# The advice names scikit-learn's own knobs (`alpha`, `early_stopping=True`)
# and says plainly what its MLP cannot do (no dropout, no batch norm) instead of
# inventing code for it. Its alpha of 1e-4 is regkit's λ ≈ 7e-7 at a batch of
# 150, which is why it is told to go to 0.15. The stopping advice is the
# generic one: this run's validation loss was still at its lowest at the last
# epoch, so early stopping would not change it; the gap with a memorised
# training set is what makes it overfitting (`d_sk.reasons` says so).
#
# The same reports are one command away in a terminal: `regkit diagnose FILE`,
# where FILE is a CSV or JSON log or a TensorBoard folder (add `--plot out.png`
# for the figure, `--json` for a machine-readable report, `--framework` to
# choose the advice's library). In a notebook, `!` runs a shell command;
# `sys.executable -m regkit` makes sure it is this environment's regkit. Here
# it is on the Lightning log:

# %%
# NBVAL_CHECK_OUTPUT
import sys
# !{sys.executable} -m regkit diagnose "{lightning_log}"

# %% [markdown]
# ### Optional: MNIST
#
# If MNIST is in scikit-learn's cache on your machine (run
# `rk.datasets.mnist()` once with a network connection), the cell below
# repeats the wrong-labels experiment on 1,000 real 28×28 digits. It never
# downloads anything itself: without the cached file it says so and moves on.

# %%
import os
from pathlib import Path
cache = Path(os.environ.get("SCIKIT_LEARN_DATA", "~/scikit_learn_data")).expanduser()
cache = cache / "regkit" / "mnist_784-v1.npz"
if not cache.exists():
    print(f"MNIST is not cached ({cache} is missing): this optional cell is skipped.")
else:
    try:
        mnist = rk.datasets.mnist(n_train=1000, n_val=2000, flatten=False)
    except rk.datasets.DatasetUnavailableError as err:
        print("MNIST is not available:", err)
    else:
        y_clean = mnist.y_train
        mnist = mnist._replace(y_train=cap.flip_labels(y_clean, 0.3, rng=1)[0])
        runs = cap.run_compare(mnist, ("none", "early_stopping", "all"), epochs=40)
        for r in cap.summary_rows(runs, mnist, y_clean):
            print(f"{r['technique']:14s} train {r['train_acc']:.3f} (true labels "
                  f"{r['train_true_acc']:.3f})  test {r['test_acc']:.3f}  {r['verdict']}")

# %% [markdown]
# ## 10. Pitfall: diagnosing the training-mode loss
#
# Keras' `loss` column, and most hand-written PyTorch loops, report the
# training loss as the *average over the epoch's batches, in training mode*:
# with dropout switched on, on augmented images, with the penalty added.
# regkit records that number too (`History.batch_loss`) but measures
# `train_loss` again in evaluation mode on the clean training set, so that
# the two curves are comparable. Feed the detector the training-mode number
# and the same run looks very different:

# %%
h_all = clean.histories["all"]
as_keras_logs_it = {"loss": h_all.batch_loss, "val_loss": h_all.val_loss}
print(f"on this machine, last epoch: training-mode loss {h_all.batch_loss[-1]:.3f} "
      f"(of which the L2 penalty {h_all.penalty[-1]:.3f}), "
      f"eval-mode training loss {h_all.train_loss[-1]:.3f}, validation loss {h_all.val_loss[-1]:.3f}")
print("diagnosed from the training-mode loss:", rk.diagnose(as_keras_logs_it).verdict)

# %%
# NBVAL_CHECK_OUTPUT
band("training-mode loss (last epoch)", h_all.batch_loss[-1], 0.75, 1.05, fmt=".2f")
band("eval-mode training loss", h_all.train_loss[-1], 0.01, 0.06, fmt=".2f")
band("validation loss", h_all.val_loss[-1], 0.27, 0.38, fmt=".2f")
claim("training-mode loss > validation loss > eval-mode training loss",
      h_all.batch_loss[-1] > h_all.val_loss[-1] > h_all.train_loss[-1])
verdict_eval, d_train = rk.diagnose(h_all).verdict, rk.diagnose(as_keras_logs_it)
claim("diagnosis from eval-mode curves    : overfitting", verdict_eval == "overfitting",
      measured=verdict_eval)
claim("diagnosis from training-mode curves: no gap at all (validation below training)",
      d_train.evidence["loss_gap_last"] < 0
      and not any("x the training loss" in r for r in d_train.reasons),
      measured=f"{d_train.verdict}, gap {d_train.evidence['loss_gap_last']:+.3f}")

# %% [markdown]
# Measured in training mode, with dropout and augmentation on and the L2
# penalty added (printed above: more than half of that loss), the
# training loss (0.83-0.94 over seeds 0-4) sits far *above* the validation
# loss (0.30-0.36), and the detector, fed that, never sees the gap: over
# seeds 0-4 it says good fit on most seeds and not converged on the others.
# (Keras adds the penalty to `val_loss` as well, so in a real Keras log that
# part cancels; what remains is dropout's and augmentation's.) In evaluation mode the model fits its
# training images almost perfectly (0.02-0.04) and the gap is plain. A
# validation loss below the training loss is
# the classic symptom of this mismatch, not a sign of a great model. When you
# diagnose a Keras log, know that its `loss` column is the training-mode one;
# if you can, evaluate the training set once per epoch in evaluation mode, as
# `rk.fit` does.
#
# ## 11. Where to go next: the same pieces in PyTorch, Keras and scikit-learn
#
# | regkit | PyTorch | Keras | scikit-learn `MLPClassifier` |
# |---|---|---|---|
# | `Dropout(p)` | `nn.Dropout(p)` | `layers.Dropout(rate)` | (none) |
# | `BatchNorm(n, momentum=0.9)` | `nn.BatchNorm1d(n, momentum=0.1)` | `layers.BatchNormalization(momentum=0.99)` | (none) |
# | `Dense(..., regularizer=L2(lam))` | `optim.Adam(..., weight_decay=lam)` or `+ lam/2 * w.pow(2).sum()` in the loss | `kernel_regularizer=regularizers.L2(lam / 2)` | `alpha = lam * batch_size` |
# | `AdamW(weight_decay=0.01)` | `optim.AdamW(weight_decay=0.01)` | `optimizers.AdamW(weight_decay=...)` | (none) |
# | `EarlyStopping(patience=10, restore_best=True)` | hand-written loop; Lightning `EarlyStopping(monitor="val_loss", patience=...)` | `callbacks.EarlyStopping(patience=..., restore_best_weights=True)` | `early_stopping=True, n_iter_no_change=10` |
# | `augment.rotate`, `shift`, `zoom`, `cutout` | torchvision `RandomRotation`, `RandomAffine(translate=, scale=)`, `RandomErasing` | `layers.RandomRotation`, `RandomTranslation`, `RandomZoom` | (none) |
# | `SoftmaxCrossEntropy(label_smoothing=eps)` | `nn.CrossEntropyLoss(label_smoothing=eps)` | `losses.CategoricalCrossentropy(label_smoothing=eps)` | (none) |
#
# The conventions that differ, and the mapping:
#
# - **Dropout `p`** is the probability of *dropping* a unit in all of them
#   (Keras calls it `rate`), and all use inverted dropout.
# - **Batch-norm momentum** is the weight of the *old* running value in regkit
#   and Keras (`running = m * running + (1 - m) * batch`), of the *new batch*
#   in PyTorch: regkit's 0.9 is PyTorch's 0.1. Keras' default keeps more history
#   (0.99). PyTorch also stores the *unbiased* batch variance ($1/(m-1)$) in
#   `running_var`, regkit and Keras the biased one; the difference matters
#   only for small batches.
# - **L2 strength.** regkit's penalty is $\frac{\lambda}{2}\lVert w\rVert^2$
#   (gradient $\lambda w$), the same as PyTorch's `weight_decay=λ` on SGD or
#   Adam. Keras' `L2(l2)` adds $l_2 \lVert w\rVert^2$ without the half, so
#   $l_2 = \lambda / 2$. scikit-learn's `alpha` is divided by the number of
#   samples in each batch, so $\alpha = \lambda \times$ `batch_size`. PyTorch's
#   `weight_decay` also decays biases and batch-norm parameters unless you
#   put them in a parameter group of their own; regkit never decays them.
# - **Coupled vs decoupled decay.** `Adam(weight_decay=...)` adds the decay to
#   the gradient, which Adam then rescales; `AdamW` shrinks the weights
#   directly. Same name, different regularizer (notebook 02 measured it).
# - **Early stopping.** regkit restores the best weights by default; Keras
#   does not (`restore_best_weights=False`, `patience=0` by default);
#   Lightning counts `patience` in validation checks (default 3) and restores
#   nothing (pair it with a `ModelCheckpoint`); scikit-learn monitors the
#   validation *accuracy* on a held-out 10% of the training data and restores
#   the best weights.
# - **Label smoothing** is the same formula, $(1-\varepsilon)\,y +
#   \varepsilon / K$, in regkit, PyTorch and Keras.
#
# **The chapter's default recipe, in PyTorch.** Dense 512 → BatchNorm → ReLU →
# Dropout 0.5 → Dense 256 → BatchNorm → ReLU → Dropout 0.5 → classes; Adam at
# $10^{-3}$ with weight decay $10^{-4}$ (not on biases and batch-norm
# parameters, as in regkit); augmentation of the training batches; early
# stopping with patience 20 and the best weights restored. Trained here on the
# 100 clean digits (the augmentation reuses regkit's: a torchvision transform
# applied to a batch tensor draws one rotation for the whole batch, and
# per-image draws need it inside a `Dataset`; on real images use
# torchvision's transforms there).
# The cell runs when PyTorch is installed and says so when it is not.

# %%
try:
    import torch
    from torch import nn
except ImportError:
    print("PyTorch is not installed: the PyTorch recipe is skipped "
          "(pip install torch to run it).")
else:
    torch.manual_seed(0)
    torch.set_num_threads(1)
    n_classes, aug, gen = 10, cap.digit_augment(), np.random.default_rng(0)
    net = nn.Sequential(nn.Flatten(),
                        nn.Linear(64, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Dropout(0.5),
                        nn.Linear(512, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5),
                        nn.Linear(256, n_classes))
    decay = [p for name, p in net.named_parameters() if p.ndim == 2]       # Linear weights
    no_decay = [p for name, p in net.named_parameters() if p.ndim < 2]     # biases, BN
    opt = torch.optim.Adam([{"params": decay, "weight_decay": 1e-4},
                            {"params": no_decay, "weight_decay": 0.0}], lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    tensor = lambda a: torch.as_tensor(np.asarray(a))
    x_val, y_val = tensor(data.x_val), tensor(data.y_val)

    def torch_accuracy(x, y):
        net.eval()
        with torch.no_grad():
            return (net(tensor(x)).argmax(1) == tensor(y)).float().mean().item()

    best_loss, best_epoch, best_state, patience = float("inf"), 0, None, 20
    for epoch in range(200):
        net.train()
        order = gen.permutation(len(data.x_train))
        for start in range(0, len(order), 32):
            idx = order[start:start + 32]
            xb = tensor(aug(data.x_train[idx], rng=gen))                 # augment training only
            opt.zero_grad()
            loss_fn(net(xb), tensor(data.y_train[idx])).backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            val_loss = loss_fn(net(x_val), y_val).item()
        if val_loss < best_loss:                                           # min_delta = 0
            best_loss, best_epoch = val_loss, epoch
            best_state = {k: v.clone() for k, v in net.state_dict().items()}
        elif epoch - best_epoch >= patience:
            break
    net.load_state_dict(best_state)                                        # restore best
    print(f"stopped after epoch {epoch}, restored epoch {best_epoch}")
    print(f"train {torch_accuracy(data.x_train, data.y_train):.3f}  "
          f"validation {torch_accuracy(data.x_val, data.y_val):.3f}  "
          f"test {torch_accuracy(data.x_test, data.y_test):.3f}")

# %% [markdown]
# The PyTorch numbers land in the same range as regkit's combined run on the
# same 100 digits (they will not be identical: different initialisation and
# random streams). Every line of that loop has a regkit counterpart you have
# now read from the inside.
#
# ## Summary
#
# - The detector turns the chapter's signals into measured evidence (the gap
#   at the best epoch, the rise of validation loss, trends, the level) and a
#   verdict from rules tried in order: unstable, poor level, overfitting, still
#   improving, good fit. Its prescriptions follow the chapter's priority
#   (batch norm after dropout for a shallow network, as measured here) and
#   what the run already uses.
# - On 100 clean digits a wide MLP memorises (100% train) yet still scores
#   about 91% on test: each technique moves it by at most about four points, and
#   the detector rightly keeps calling the gap. Regularization pays when
#   memorising is expensive.
# - With 30% wrong labels the memorising network scores 100% on its
#   training labels and 70-74% on test; all five techniques together reach
#   88-91% test and get the true label of 90-94% of the training images right.
#   Early stopping and dropout are the big single wins there. The detector's
#   rules assume correct training labels; when validation accuracy is far
#   above training accuracy it says so and asks you to check the labels.
# - Diagnose what was measured the same way on both sides: eval-mode training
#   curves, not the training-mode batch average.
# - Keras, Lightning, TensorBoard and Hugging Face logs work as they are, in
#   Python or with `regkit diagnose FILE`; a scikit-learn MLP goes through
#   `rk.detector.sklearn_curves`. The advice comes in the library's own code,
#   with every strength converted to its convention (Keras' l2 is half of
#   regkit's λ; scikit-learn's alpha is λ times the batch size).
#
# ## Try this
#
# 1. Follow the detector's next prescription on the clean digits:
#    `cap.run_compare(data, ("all",), l2=1e-2, dropout=0.7)`. What happens to
#    the training and test accuracy? What does the detector say now, and
#    why?
# 2. Put 1-pixel shifts back into the augmentation (`regkit.detector.comparison.default_augment`
#    uses them) and rerun the "augmentation" technique on the clean digits
#    (`rk.compare(build, ["none", "augmentation"], data,
#    augment=rk.detector.comparison.default_augment())`).
#    How much does it cost, and why is an MLP hurt more by shifts than a
#    convolutional network would be?
# 3. Vary the share of wrong labels (0.1, 0.3, 0.5) and plot the test accuracy
#    of "none" and "all". Where does regularization stop helping?

# %% [markdown]
# <details><summary><b>Answers</b> (what we measured, seeds 0-2; try first)</summary>
#
# 1. With λ = 1e-2 and p = 0.7 (seeds 0-2, 100 epochs) the training accuracy
#    falls from 99-100% to 98% and the test accuracy to 89-91%, 1-2 points
#    below the default combination (91-93%), with a higher validation loss
#    (0.37-0.39 against 0.29-0.34). The detector now says "not converged" on
#    all three seeds, not "overfitting": the gap (7.5-9 points) is under its
#    10-point line, 98% no longer counts as a memorised training set, and the
#    validation loss was still falling over the last 20 epochs (by 6-11%),
#    because the stronger penalty and dropout slow the learning down.
#    Following that advice (`epochs=300`), early stopping ends the runs at
#    epochs 152-228 with 98-99% training accuracy, 90-93% test accuracy and
#    "overfitting" again. The gap is not memorisation that regularization can
#    remove: ten clean examples per class do not show every way people write a
#    digit, and with 300 clean digits the unregularised network's gap is 4-5
#    points and its test accuracy 96%.
# 2. With `default_augment` (1-pixel shifts and rotations up to 10°; seeds
#    0-2) the "augmentation" run tests at 87-90%, 1-5 points below the
#    notebook's shift-free augmentation (90-92%), loses 0.5-3 points of
#    validation accuracy, and no longer fits its own training set (91-97%).
#    What it buys is robustness to a move the clean test digits never make:
#    test digits moved by one pixel go from 13-17% to 75-79%. An MLP gives
#    every pixel its own weights, so a digit moved by one pixel meets
#    different weights and each shifted copy is almost a new pattern to learn
#    (a one-pixel move changes the pixels twice as much as a 15-degree tilt);
#    with nine offsets per image the same network and epochs cannot fit them
#    all. A convolution slides the same small filters over every position, so
#    a moved digit gives the same features, moved, and far less has to be
#    learned again: a small CNN we tried (two 3×3 convolution layers in
#    PyTorch, same data and epochs) gained or lost at most 1.4 points with the
#    same shifts.
# 3. Over seeds 0-2 (300 digits, 70 epochs, as in section 6) "all" beats
#    "none" at every share, and the gain grows with the noise: 0-1.5 points on
#    clean labels (about 96% without, 96-97% with), 5-6 at 0.1 (87-89% to
#    94-95%), 14-19 at 0.3 (70-74% to 88-91%) and 20-30 at 0.5 (51-57% to
#    77-81%). So between 0.1 and 0.5 regularization does not stop helping; it
#    matters more the more labels are wrong. Without it the network learns
#    every wrong label (100% on the labels it was given); early stopping and
#    dropout let it learn what most labels of each digit agree on first, and
#    at 0.5 the true class is still about half of the labels against some 6%
#    for each wrong class. It stops helping only when that majority
#    disappears: at 0.7 it still gained 18-25 points (46-50% test), at 0.8
#    8-13 (25-31%), and at 0.9, where the true class is no more common than
#    any wrong one, both runs sat at chance (6-10%).
#
# </details>
