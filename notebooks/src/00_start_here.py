# %% [markdown]
# # 00 · Start here: a tour of the course
#
# **After this notebook you can**
# - find your way through the ten notebooks (this tour, eight on the chapter's
#   ideas, and the project) and know what each one adds;
# - move the sliders of a live figure, and fix the install when a widget
#   does not show;
# - load the four built-in datasets (and MNIST, when you have it cached);
# - read the course's figures: which colour is training, which is validation;
# - run the exercises, and (instructors) run `make test` and `make figures`.
#
# **Time:** about 15 minutes.
#
# The course teaches *regularisation*: the family of tricks that make a
# network do well on data it has never seen, not only on the data it was
# trained on. Everything runs on **regkit**, a small library written from
# scratch in NumPy for this course. You will read its source as you go: when
# a notebook explains dropout, it shows the exact lines of code that perform
# dropout in your experiments.

# %% [markdown]
# Every notebook starts with the same cell. It imports NumPy, matplotlib and
# regkit (as `rk`), and `setup_notebook()` then applies the course's plot
# style, limits linear algebra to one thread (small networks train faster
# that way on a laptop),
# and seeds regkit's random generator with 0.

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
# ## 1. The map
#
# | notebook | what you will do | chapter |
# |---|---|---|
# | **00_start_here** | this tour: widgets, datasets, style, exercises | – |
# | **01_bias_variance** | *measure* bias² and variance of a model, watch a network memorise random labels, read the three loss-curve shapes | 1, 2 |
# | **02_l1_l2** | penalise large weights; see L1 set weights to exactly zero and L2 shrink them; weight decay in SGD, Adam and AdamW | 3 |
# | **03_dropout** | write inverted dropout, check its gradient, pick a rate from the curves | 4 |
# | **04_batchnorm** | normalise with batch statistics, keep running averages, meet the batch-of-one trap | 5 |
# | **05_early_stopping** | stop when validation loss stops improving, with patience, and keep the best weights | 6 |
# | **06_augmentation** | shift, rotate, zoom and cut out digits; see what augmentation buys (robustness to the variation it simulates) and what it costs; never flip a digit; never augment the validation set | 7 |
# | **07_other_techniques** | label smoothing, mixup, gradient clipping, max-norm constraints | 8 |
# | **08_overfit_detector** | the capstone: a tool that reads any training log (regkit, Keras, Lightning) and says what is wrong and what to try | 2, 9, 10.1 |
# | **09_project** | the project: write the regularised network yourself, piece by piece, each piece graded against regkit; train it, diagnose it, close its gap | 10.1 |
#
# Notebooks 01-08 share one shape: the idea with its formulas; regkit's
# code for it; the chapter's numbers reproduced; a check against a
# reference (finite differences, PyTorch, scikit-learn); an experiment on
# real data; a static figure and then the same figure with sliders; one to
# five exercises; a common pitfall shown with real code; a summary with
# questions to try. 09 is the project: five graded parts, then one network
# to train and diagnose.

# %% [markdown]
# ## 2. What is installed
#
# The versions below matter mostly for the widgets (next section). This cell
# prints what *your* kernel sees, so its output differs from machine to
# machine.

# %%
import sys
from importlib import metadata

def version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"

print(f"python             {sys.version.split()[0]}   ({sys.executable})")
for package in ["regkit-course", "numpy", "scipy", "scikit-learn", "matplotlib", "ipywidgets",
                "jupyterlab", "jupyterlab_widgets", "ipykernel", "torch"]:
    print(f"{package:18s} {version(package)}")

# %% [markdown]
# ## 3. Live figures: a check that widgets work
#
# Below is the smallest dashboard of the course: two sliders that redraw a
# sample of the noisy sine we use in notebook 01. Try it:
#
# - **drag** a slider and let go: the figure updates when you release (a
#   retrain on every pixel of a drag would freeze the page);
# - or **click** a slider and use the **arrow keys**; a burst of key presses
#   computes only once, for the last value (in JupyterLab; the classic
#   Notebook 7 interface keeps the arrow keys for moving between headings, so
#   there drag or type instead);
# - or **click the number** to its right and type a value.
#
# The line above the figure says `computing…` while it works, then shows the
# values and how long the update took; `cached` means the result was
# remembered from an earlier visit to the same setting, which is why going
# back is instant.

# %%
from regkit.course.widgets.start_here import hello_dashboard
hello = hello_dashboard()
hello

# %% [markdown]
# **If you see `Error displaying widget`, `Loading widget...`, a line of
# text such as `Dashboard(controls=...)`, or nothing at all** — the Python
# side is fine, the browser side of ipywidgets is missing or does not match:
#
# 1. Look at the versions printed in section 2. The course needs
#    **JupyterLab ≥ 4** with **jupyterlab_widgets 3.x** and **ipywidgets 8.x**
#    (ipywidgets 7 with JupyterLab 4, or two Python environments mixed up,
#    are the usual causes).
# 2. Reinstall and open the course from its own environment with
#    `make lab` (in the repository's root). It installs all of the above into
#    `.venv` and starts JupyterLab from there.
# 3. Check that the kernel is that environment's: *Kernel → Change Kernel…*;
#    the `python` line of section 2 should end in `.venv/bin/python`.
# 4. Trust the notebook (*File → Trust Notebook*, or
#    `jupyter trust notebooks/*.ipynb`): an untrusted notebook does not run
#    the stored widget JavaScript.
# 5. *Kernel → Restart Kernel and Run All Cells*, then reload the browser tab.
#
# On GitHub and in other static viewers widgets never appear: there is no
# Python running behind the page. That is why every dashboard in the course
# has a static figure next to it. This is the static version of the one
# above, drawn by the same function:

# %%
static = hello.draw(hello.state["result"], **hello.values)
display(static)
plt.close(static)

# %% [markdown]
# The dashboard can also be driven from code, which is how the tests check
# every dashboard without a browser. `set` changes controls and updates
# once; `state` holds what was computed.

# %%
_ = hello.set(n_points=60, noise=0.1)   # `set` returns the dashboard: `_ =` avoids showing it twice

# %%
# NBVAL_CHECK_OUTPUT
x, y = hello.state["result"]
print("values :", hello.values)
print("sample :", x.shape, y.shape, x.dtype)
print("error  :", hello.state["error"])

# %% [markdown]
# ## 4. The datasets
#
# The four built-in loaders of `rk.datasets` work offline, and return the same named
# tuple of six arrays: `x_train, y_train, x_val, y_val, x_test, y_test`,
# float32 inputs, already split and scaled. `n_train=` keeps fewer training
# samples (the easiest way to provoke overfitting) without changing the
# validation and test sets; `random_state=` fixes everything.

# %%
# NBVAL_CHECK_OUTPUT
data = {
    "digits": rk.datasets.digits(),             # 8x8 handwritten digits, 10 classes
    "moons": rk.datasets.moons(),               # 2-D, two classes
    "noisy_sine": rk.datasets.noisy_sine(),     # 1-D regression, known truth
    "sparse_features": rk.datasets.sparse_features(),  # 5 useful columns of 100
}
for name, split in data.items():
    shapes = "  ".join(f"{field}={arr.shape}" for field, arr in zip(split._fields[::2], split[::2]))
    print(f"{name:16s} {shapes}  y: {split.y_train.dtype}")

# %% [markdown]
# Besides the arrays, each split carries what it knows in `info`, also
# readable as attributes (`sine.noise` is `sine.info["noise"]`): the true
# function of the sine, the informative columns of `sparse_features`, the
# image shape of the digits (`flatten=False` gives the images themselves). Notebook 01 uses the sine's truth to measure
# bias exactly.

# %%
# NBVAL_CHECK_OUTPUT
sine = data["noisy_sine"]
print("noise level       :", sine.noise)
print("truth at x = 0.5  :", rounded(sine.true_function(np.array([0.5]))))
print("informative cols  :", data["sparse_features"].support)
print("digits as images  :", rk.datasets.digits(flatten=False).x_train.shape)
print("fewer training    :", rk.datasets.digits(n_train=100).x_train.shape,
      "val unchanged:", rk.datasets.digits(n_train=100).x_val.shape)

# %%
from regkit.course.plots.start_here import datasets_figure
fig = datasets_figure(*data.values())
display(fig)
plt.close(fig)

# %% [markdown]
# **MNIST and Fashion-MNIST** (28×28, 70,000 images each) are optional
# (`rk.datasets.mnist()`, `rk.datasets.fashion_mnist()`).
# They are downloaded once through scikit-learn and cached; offline and without a cache the loader raises a clear error. No notebook
# depends on them: the next cell only reports whether MNIST is already in the
# cache, and never downloads.

# %%
from pathlib import Path
from sklearn.datasets import get_data_home

cached = Path(get_data_home()) / "regkit" / "mnist_784-v1.npz"
if cached.exists():
    mnist = rk.datasets.mnist(n_train=1000)
    print("MNIST is cached:", mnist.x_train.shape, mnist.x_test.shape)
else:
    print("MNIST is not cached; the course runs without it. With internet,"
          " rk.datasets.mnist() downloads it once and caches it.")

# %% [markdown]
# ## 5. The projector style
#
# The figures are made to be read from the back of a room: large fonts,
# thick lines, and the Okabe–Ito palette, whose colours stay distinct for
# the common kinds of colour blindness. One rule holds in every notebook:
# **training is blue, validation is orange.** (Test, when it appears, is
# green.) The colours are importable, so your own plots can follow the rule.

# %%
# NBVAL_CHECK_OUTPUT
from regkit.course.plots import TRAIN, VAL, TEST, PALETTE
print("train:", TRAIN, " validation:", VAL, " test:", TEST)

# %%
from regkit.course.plots.start_here import palette_figure
fig = palette_figure()
display(fig)
plt.close(fig)


# %% [markdown]
# ## 6. How exercises work
#
# An exercise gives you a function (in 09, a class) to complete. The stub is
# wrong or unfinished, but the notebook still runs top to bottom before you
# have done anything: the checker reports "not yet" instead of failing. A checker from `regkit.course.exercises` then
# calls your function on test inputs and either passes it or tells you what
# is wrong. The solution is in a collapsed cell right after: click it to
# open it once you have tried. Its functions are named `solution_...`
# (`Solution...` for classes), so running every cell never replaces the one
# you wrote.
#
# **Warm-up.** Write `accuracy(scores, labels)`: `scores` has shape
# `(batch, classes)` (one row of class scores per sample) and `labels` has
# shape `(batch,)`; return the fraction of rows whose highest score is at the
# true label, a number in $[0, 1]$.

# %%
def accuracy(scores, labels):
    # your code here
    return 0.0

from regkit.course.exercises.bias_variance import check_accuracy
print(check_accuracy(accuracy))


# %% jupyter={"source_hidden": true} tags=["solution"]
def solution_accuracy(scores, labels):
    predicted = np.argmax(scores, axis=1)       # the best class of each row
    return float(np.mean(predicted == labels))


# %%
# NBVAL_CHECK_OUTPUT
print(check_accuracy(solution_accuracy))

# %% [markdown]
# ## 7. A pitfall: seeding the wrong generator
#
# A seed fixes regkit's random numbers: the same seed gives the same initial
# weights, dropout masks and batch order. It does not fix the arithmetic:
# another CPU rounds float32 sums a little differently, and training
# amplifies that, so cells marked "on this machine" may show other last
# digits on yours (or more, for a chaotic run). What the text relies on is
# printed as ranges and claims that hold on every machine. regkit never
# uses NumPy's global random state; it has its own generator, reset by
# `rk.seed(n)`, and every random piece also accepts `rng=` (an int or a
# `np.random.Generator`). The classic mistake is to seed NumPy and expect
# regkit to follow:

# %%
# NBVAL_CHECK_OUTPUT
np.random.seed(0); a = rk.Dense(3, 2).W.data
np.random.seed(0); b = rk.Dense(3, 2).W.data
print("np.random.seed(0) twice -> same weights?", np.array_equal(a, b))

rk.seed(0); a = rk.Dense(3, 2).W.data
rk.seed(0); b = rk.Dense(3, 2).W.data
print("rk.seed(0) twice        -> same weights?", np.array_equal(a, b))
print("rng=7 twice             -> same weights?",
      np.array_equal(rk.Dense(3, 2, rng=7).W.data, rk.Dense(3, 2, rng=7).W.data))

# %% [markdown]
# ## 8. For instructors
#
# Two commands, both from the repository's root. Each creates `.venv` when it
# is missing and installs what it needs:
#
# - `make lab` opens the course in JupyterLab;
# - `make test` runs the unit tests and then replays every notebook with
#   **nbval**: each notebook is executed top to bottom on a fresh kernel, and
#   the cells that begin with `# NBVAL_CHECK_OUTPUT` must print exactly what
#   is stored in the notebook. Those cells hold the chapter's worked
#   examples and, for trained networks, the ranges and claims the text
#   relies on (`regkit.course.teach.band` and `claim`), which hold on any CPU, so a
#   change in regkit that changes what learners see fails the build, and
#   `make test-portable` replays the notebooks as if on other machines. Other
#   cells only have to run without error. `make test-fast` runs only the unit
#   tests.
#
# Also useful:
#
# - `make figures` regenerates every static figure in `figures/` from the
#   same functions the notebooks call; `.venv/bin/python -m regkit.course.render
#   figures/ 01_` redraws only the ones whose name contains `01_`.
# - `make notebooks` re-executes all notebooks and stores their outputs. The
#   notebooks are generated from the plain-text sources in `notebooks/src/`
#   (`make notebooks NB=01_bias`, or `.venv/bin/python tools/run_notebooks.py
#   01_bias`, rebuilds one); edit those, not the
#   `.ipynb` files, so reviews are readable diffs.
# - Each notebook runs in well under 30 seconds on a 2-core laptop, so
#   "Restart and Run All" before a class is cheap.
#
# The figures `make figures` knows about:

# %%
from regkit.course.render import registry
print("\n".join(sorted(registry())))

# %% [markdown]
# ## Summary
#
# - Ten notebooks: this tour, eight on the ideas of the
#   chapter, and the project, all built on regkit, whose source you will read
#   along the way.
# - Widgets need JupyterLab ≥ 4, jupyterlab_widgets 3 and ipywidgets 8 in the
#   kernel's environment: `make lab` sets that up. Every dashboard has a
#   static twin for viewers without a kernel.
# - `rk.datasets` gives four offline datasets, split and seeded; `n_train=`
#   shrinks the training set to provoke overfitting.
# - Blue is training, orange is validation, everywhere.
# - Seed with `rk.seed` (or pass `rng=`), not `np.random.seed`.
#
# **Try this**
# 1. Set the noise slider to 0 and then to 1. At which noise level can you no
#    longer guess the sine from 30 points? From 200?
# 2. Load `rk.datasets.digits(n_train=50)`. How many images of each digit
#    does the training set keep? (Hint: `np.bincount`.)
# 3. Call `show_source(rk.seed)` and find where regkit keeps its generator.
