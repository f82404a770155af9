# %% [markdown]
# # 03 · Dropout: training many thin networks at once
#
# **After this notebook you can**
# - write inverted dropout (forward and backward) and explain the factor $1/(1-p)$;
# - check a dropout layer's gradient, and compare it with PyTorch's;
# - pick a rate $p$ by looking at training and validation curves;
# - measure the "ensemble" story instead of taking it on faith;
# - say what DropConnect, spatial dropout and concrete dropout change;
# - avoid the two classic bugs: dropout left on at test time, and a keep
#   probability passed where a drop probability was expected.
#
# **Time:** about 35 minutes. Chapter section 4.

# %%
import numpy as np, matplotlib.pyplot as plt, regkit as rk
from regkit.teach import setup_notebook, show_source, rounded
setup_notebook()

# %% [markdown]
# ## 1. The idea
#
# A network with plenty of units can memorise a small training set: units
# learn to fix each other's mistakes on exactly those samples. Dropout breaks
# these private arrangements. At every training step each hidden unit is
# switched off at random, so no unit can count on any particular partner.
#
# For one layer's activations $a$ (a row per sample), one training step does
#
# $$ y = \frac{a \odot m}{1-p}, \qquad m_{ij} \sim \text{Bernoulli}(1-p) \text{ drawn anew every step.} $$
#
# - $p$ is the **drop** probability (the *rate*): the chance a unit is silenced;
# - $m$ is the mask, the same shape as $a$: $1$ keeps a unit, $0$ drops it;
# - $\odot$ multiplies element by element;
# - $1/(1-p)$ is the **inverted-dropout** scale applied to the survivors.
#
# At test time nothing is dropped and nothing is scaled: $y = a$.
#
# **Why the scale?** The next layer was trained on the dropped-out version of
# $a$. Its expected value, unit by unit, is
#
# $$ \mathbb{E}[y_{ij}] = (1-p)\cdot\frac{a_{ij}}{1-p} + p\cdot 0 = a_{ij}, $$
#
# exactly what it receives at test time. Without the scale the next layer
# would see inputs $(1-p)$ times smaller during training than at test time,
# and its learned weights would be off by that factor. The original paper
# fixed this by multiplying the *weights* by $(1-p)$ at test time; the
# inverted form moves the correction into training, so the deployed network
# is just the plain network.
#
# **Backward.** $y$ is linear in $a$ with the mask held fixed, so
# $\partial L/\partial a = (\partial L/\partial y) \odot m / (1-p)$: the same
# mask and the same scale. A dropped unit had no effect on the loss, so it
# gets no gradient.
#
# Here is regkit's layer. The maths lives in two small functions of
# `regkit.functional`; the layer draws the mask and keeps it for `backward`.

# %%
show_source(rk.Dropout.forward)

# %%
show_source(rk.Dropout.backward)

# %%
from regkit import functional as F
show_source(F.dropout_mask)

# %%
show_source(F.dropout_apply)

# %% [markdown]
# ## 2. The chapter's worked example
#
# Activations $a = [1, 2, 3, 4]$, rate $p = 0.5$, and the mask that drops the
# second and fourth unit, $m = [1, 0, 1, 0]$. We pass the mask explicitly, so
# the numbers are exactly the chapter's.

# %%
# NBVAL_CHECK_OUTPUT
a = np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32)
mask = np.array([[1, 0, 1, 0]], dtype=bool)
p = 0.5
y = F.dropout_apply(a, mask, p)
print("a * mask          =", a * mask)
print("scale 1/(1-p)     =", 1 / (1 - p))
print("y                 =", y)
print("sum before, after =", a.sum(), y.sum())

# %% [markdown]
# One draw gives a sum of 8 instead of 10. The promise is about the
# *average* over masks: averaged over many random masks, every unit comes
# back to its own value.

# %%
# NBVAL_CHECK_OUTPUT
layer = rk.Dropout(p=0.5, rng=0)           # training mode by default
draws = np.stack([layer.forward(a) for _ in range(20_000)])
print("mean of y over 20,000 masks:", rounded(draws.mean(axis=0), 2))
print("share of units kept        :", rounded(draws.astype(bool).mean(), 3))
print("eval mode is the identity  :", layer.eval().forward(a))

# %% [markdown]
# The backward pass reuses the mask of the forward pass. We can put the
# chapter's mask into the layer and send a gradient of ones back:

# %%
# NBVAL_CHECK_OUTPUT
layer = rk.Dropout(p=0.5).train()
layer.mask = mask                          # the mask "drawn" by the last forward
print("grad_a =", layer.backward(np.ones_like(a)))

# %% [markdown]
# ## 3. Checked: finite differences, then PyTorch
#
# `check_layer` compares `backward` with centred finite differences in
# float64, using a random upstream gradient. Dropout is random, so the
# checker reseeds the layer's generator before every forward: each of the
# hundreds of forward passes it makes sees the **same** mask. (With a fresh
# mask each time the "function" being differentiated would change under our
# feet, and the check would fail for the wrong reason.)

# %%
from regkit.gradcheck import check_layer, rel_error
x = np.random.default_rng(1).standard_normal((4, 5))
errors = check_layer(rk.Dropout(0.3).train(), x)
print({k: f"{v:.1e}" for k, v in errors.items()})

# %%
# NBVAL_CHECK_OUTPUT
print("relative error below 1e-7:", all(v < 1e-7 for v in errors.values()))

# %% [markdown]
# PyTorch draws its masks with its own generator, so we cannot ask both
# libraries for the same mask. We can do the next best thing: read the mask
# off PyTorch's output (a zero where a unit was dropped, since our inputs are
# never zero), feed that mask to regkit, and compare output and gradient.

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed: comparison skipped.")
else:
    torch.manual_seed(0)
    xt = torch.tensor(np.abs(x) + 0.1, requires_grad=True)
    drop = torch.nn.Dropout(p=0.3).train()
    yt = drop(xt)
    g = np.random.default_rng(2).standard_normal(x.shape)
    yt.backward(torch.tensor(g))
    torch_mask = (yt.detach().numpy() != 0)
    ours = rk.Dropout(0.3).train()
    ours.forward(xt.detach().numpy())      # draws a mask of its own...
    ours.mask = torch_mask                 # ...which we replace by PyTorch's
    y_ours = F.dropout_apply(xt.detach().numpy(), torch_mask, 0.3)
    print("share dropped by PyTorch:", round(1 - torch_mask.mean(), 2))
    print("output   rel. error:", f"{rel_error(y_ours, yt.detach().numpy()):.1e}")
    print("gradient rel. error:", f"{rel_error(ours.backward(g), xt.grad.numpy()):.1e}")

# %% [markdown]
# ## 4. Experiment: a wide network, few digits, several rates
#
# To see dropout work we need something to cure. We take **100** of the 8×8
# digits (10 per class) and a network far bigger than they deserve: two
# hidden layers of 256 ReLU units, each followed by `Dropout(p)`, trained
# with Adam for 80 epochs. On the side, the same recipe (two hidden layers
# of 128) on 120 noisy "moons" points, because in 2-D we can *look* at the
# decision boundary.
#
# `dropout_grid` trains both for $p = 0, 0.1, \dots, 0.8$ (about half a
# second per rate on one thread). The slider further down reads these
# results, so it answers instantly.

# %%
from regkit.plots import dropout as dplots
show_source(dplots.wide_mlp, docstring=False)

# %%
grid = dplots.dropout_grid(dplots.P_GRID)

# %%
# NBVAL_CHECK_OUTPUT
print("   p | digits: train loss  val loss  val acc | moons: val acc")
for p_, run in grid.items():
    h, mh = run["digits"]["history"], run["moons"]["history"]
    print(f"{p_:4.1f} |         {h.train_loss[-1]:6.3f}    {h.val_loss[-1]:6.3f}   {h.val_acc[-1]:6.3f} |"
          f"        {mh.val_acc[-1]:6.3f}")

# %% [markdown]
# Read the table from top to bottom. Without dropout the training loss goes
# to zero: the network has memorised its 100 images. As $p$ grows the
# training loss stays higher (the network is fighting its own noise) and the
# validation loss comes down. Past $p \approx 0.7$ the noise starts to win:
# at $p = 0.8$ only one unit in five survives each step and the network
# underfits. On this small, clean data set the accuracy gain is modest
# (about one point); the clearer signal is the validation loss, i.e. how
# *confidently wrong* the network is.
#
# The four rates of the chapter's table side by side (the orange dot marks
# the best validation epoch):

# %%
fig = dplots.p_multiples(grid, dplots.P_SHOWN)
plt.show()

# %% [markdown]
# Without dropout the validation loss bottoms out after about ten epochs and
# then creeps up while the training loss sits at zero: textbook overfitting.
# With $p = 0.7$ the best epoch moves to the very end. On the moons, $p = 0$
# draws an island around single stray points; dropout smooths the boundary.
#
# **Live:** move the slider. Every value was computed above, so the picture
# changes at once.

# %%
from regkit.widgets.dropout import dropout_dashboard
dropout_dashboard(grid)

# %% [markdown]
# ## 5. Is it really an ensemble? Measure it
#
# Each mask picks a sub-network; a layer of $n$ units has $2^n$ of them. The
# usual story: training with dropout trains all these sub-networks at once
# (they share weights), and the eval-mode network, all units on with
# inverted scaling, is a cheap stand-in for averaging their predictions.
#
# We can test this directly. Take the $p = 0.5$ digits network, leave dropout
# **on**, run it $K$ times on the validation set and average the softmax
# outputs (this is called Monte-Carlo dropout). Then compare with one
# eval-mode pass.

# %%
run = grid[0.5]["digits"]
ens = dplots.mc_ensemble(run["model"], run["data"].x_val, run["data"].y_val)

# %%
# NBVAL_CHECK_OUTPUT
print(f"eval mode (1 pass, no dropout): accuracy {ens['eval_acc']:.3f}")
print("  K | accuracy of K-pass average | same class as eval | mean max |prob diff|")
for k, acc, agree, gap in zip(ens["passes"], ens["mc_acc"], ens["agreement"], ens["max_prob_gap"]):
    print(f"{k:3d} |            {acc:.3f}           |       {agree:.3f}        |      {gap:.3f}")

# %%
fig = dplots.ensemble_curve(ens)
plt.show()

# %% [markdown]
# One random sub-network is clearly worse than the full network (a single
# dropout pass loses several points). Averaging a few dozen of them catches
# up with the eval-mode network, and the two then agree on almost every
# image. So the deterministic network is a good, one-pass approximation of
# the ensemble, which is why nobody averages at test time in practice. The
# approximation is not exact: the probabilities still differ a little
# (last column), because a ReLU network is not linear in its masks. The
# spread of the $K$ passes is also useful on its own, as a rough measure of
# the model's uncertainty (the "Bayesian" reading of dropout).

# %% [markdown]
# ## 6. Variations (chapter 4.6)
#
# **DropConnect** drops individual *weights* instead of whole units:
# $W_\text{eff} = W \odot M/(1-p)$ with a fresh mask $M$ of $W$'s shape. A
# unit then loses some of its inputs rather than all of its output. regkit's
# `DropConnect` is a `Dense` layer with this twist (one mask per batch):

# %%
show_source(rk.DropConnect.forward, docstring=False)

# %% [markdown]
# Same task, same rate $p = 0.5$, same seed: dropout on units vs dropout on
# connections (both hidden layers), against no dropout at all.

# %%
dc = dplots.train_digits(0.5, layer="dropconnect", data=run["data"])
runs = {"no dropout": grid[0.0]["digits"]["history"],
        "Dropout(0.5)": grid[0.5]["digits"]["history"],
        "DropConnect(0.5)": dc["history"]}

# %%
# NBVAL_CHECK_OUTPUT
print("                 | train loss | val loss (best epoch) | val loss (end) | val acc (end)")
for name, h in runs.items():
    best = int(np.argmin(h.val_loss))
    print(f"{name:16s} |   {h.train_loss[-1]:.3f}    |    {h.val_loss[best]:.3f} ({best + 1:2d})       |"
          f"     {h.val_loss[-1]:.3f}      |    {h.val_acc[-1]:.3f}")

# %%
fig = dplots.dropconnect_curves(runs)
plt.show()

# %% [markdown]
# At the same $p$ DropConnect is the gentler regulariser: a unit keeps about
# half of its inputs instead of being switched off entirely, so each step is
# less noisy. Its training loss stays higher than with no dropout and its
# best validation epoch comes much later, but in this run it ends behind
# plain dropout on validation loss and accuracy (eight images of 359), close
# to no dropout at all. One seed on 100 images is no ranking, yet it is a
# fair summary of why DropConnect is rarely the first choice.
# Each DropConnect step also costs more (a mask as large as $W$), one reason
# it stayed a research variant while unit dropout spread everywhere.
#
# **Spatial dropout** is for convolutional feature maps. Neighbouring pixels
# of a feature map are strongly correlated, so zeroing single pixels barely
# hides anything: the neighbours carry the same information. Spatial dropout
# drops **whole channels** instead: the mask has shape
# `(batch, channels, 1, 1)` and broadcasts over height and width
# (PyTorch's `nn.Dropout2d`, Keras' `SpatialDropout2D`). In NumPy:

# %%
# NBVAL_CHECK_OUTPUT
gen = np.random.default_rng(3)
maps = np.ones((1, 4, 3, 3), dtype=np.float32)          # 1 image, 4 channels of 3x3
chan_mask = gen.random((1, 4, 1, 1)) >= 0.5              # one decision per channel
dropped = maps * chan_mask / (1 - 0.5)
print("channel kept?   ", chan_mask.ravel())
print("sum per channel:", dropped.sum(axis=(2, 3)).ravel())

# %% [markdown]
# **Concrete dropout** makes $p$ itself a parameter. The hard 0/1 mask is
# replaced by a smooth relaxation (a "concrete", or Gumbel-softmax,
# distribution) whose sample is differentiable in $p$, and a term derived
# from the Bayesian view is added to the loss so $p$ does not simply go to
# zero. Each layer then learns its own rate by gradient descent instead of
# a grid search. It is more principled and more complicated; regkit does not
# implement it.

# %% [markdown]
# ## 7. Exercise: dropout forward and backward
#
# Write inverted dropout in training mode.
# - `dropout_forward(x, p, rng)` returns `(y, mask)`: `mask` is 1 (or True)
#   where a unit is **kept**, drawn from `rng` with probability `1 - p`, and
#   `y = x * mask / (1 - p)`.
# - `dropout_backward(grad_y, mask, p)` returns the gradient with respect to
#   `x`.
#
# The stubs below run but are wrong; the checker tells you what to fix.

# %%
def dropout_forward(x, p, rng):
    mask = np.ones(x.shape, dtype=bool)      # TODO: keep each unit with probability 1 - p
    y = x * mask                             # TODO: inverted-dropout scaling
    return y, mask


def dropout_backward(grad_y, mask, p):
    return grad_y                            # TODO


from regkit.exercises.dropout import check_dropout_forward, check_dropout_backward
print(check_dropout_forward(dropout_forward))
print(check_dropout_backward(dropout_backward))

# %% [solution]
# NBVAL_CHECK_OUTPUT
# One solution (regkit's own is F.dropout_mask + F.dropout_apply, shown above).
def solution_dropout_forward(x, p, rng):
    mask = rng.random(x.shape) >= p          # True with probability 1 - p
    return x * mask / (1.0 - p), mask


def solution_dropout_backward(grad_y, mask, p):
    return grad_y * mask / (1.0 - p)


print(check_dropout_forward(solution_dropout_forward))
print(check_dropout_backward(solution_dropout_backward))

# %% [markdown]
# ## 8. Pitfalls
#
# ### Dropout left on at test time
#
# `rk.fit` (like a PyTorch training loop) leaves the model in **training
# mode**. `model.predict` switches dropout off for you, but a plain
# `model.forward(x)` (PyTorch: `model(x)` without `model.eval()`) still
# drops units: the predictions are noisy and worse, and change from call to
# call.

# %%
# NBVAL_CHECK_OUTPUT
model, xv, yv = run["model"], run["data"].x_val, run["data"].y_val
model.train()                                   # where a training loop leaves it
acc = lambda scores: float(np.mean(scores.argmax(axis=1) == yv))
print("model.training after training:", model.training)
print("forward, dropout still on    :", [round(acc(model.forward(xv)), 3) for _ in range(3)])
print("predict (eval mode inside)   :", round(acc(model.predict(xv)), 3))
model.eval()
print("after model.eval(), forward  :", round(acc(model.forward(xv)), 3))

# %% [markdown]
# ### Keep probability or drop probability?
#
# | library / text | argument | meaning |
# |---|---|---|
# | regkit `Dropout(p)`, PyTorch `nn.Dropout(p)`, Keras `Dropout(rate)` | `p`, `rate` | probability of **dropping** |
# | CS231n assignments (`p`), TensorFlow 1 `tf.nn.dropout(keep_prob=...)` | `p`, `keep_prob` | probability of **keeping** |
#
# Code ported from a keep-probability source with the number unchanged does
# the opposite of what it meant: "keep 80%" becomes "drop 80%", and the
# survivors are multiplied by 5 instead of 1.25.

# %%
# NBVAL_CHECK_OUTPUT
keep_prob = 0.8                                 # meant: keep 80% of the units
wrong = rk.Dropout(p=keep_prob, rng=0)          # regkit reads it as a DROP rate
right = rk.Dropout(p=1 - keep_prob, rng=0)
ones = np.ones((1000, 100), dtype=np.float32)
for name, layer in (("Dropout(keep_prob)    ", wrong), ("Dropout(1 - keep_prob)", right)):
    out = layer.forward(ones)
    print(f"{name}: kept {np.mean(out > 0):.1%}, survivors scaled by {out.max():.2f}")
h_wrong, h_right = grid[0.8]["digits"]["history"], grid[0.2]["digits"]["history"]
print(f"digits val acc: meant p = 0.2 -> {h_right.val_acc[-1]:.3f}, got p = 0.8 -> {h_wrong.val_acc[-1]:.3f}"
      f" (train loss {h_right.train_loss[-1]:.3f} vs {h_wrong.train_loss[-1]:.3f})")

# %% [markdown]
# The accuracy hit is small on this easy task, but the network trained with
# the swapped value underfits (look at its training loss), and on a harder
# problem the damage is larger. When porting code, check what the number
# means, not just its name.

# %% [markdown]
# ## Summary
#
# - Dropout zeroes each unit with probability $p$ at every training step and
#   scales the survivors by $1/(1-p)$, so expectations match test time,
#   where the layer does nothing.
# - The backward pass reuses the forward's mask and scale.
# - On 100 digits it lowered the validation loss and moved the best epoch
#   later; too large a rate underfits.
# - The eval-mode network closely matches the average of many dropout
#   passes: the ensemble story holds, approximately, and we measured it.
# - DropConnect drops weights (milder at equal $p$), spatial dropout drops
#   channels, concrete dropout learns $p$.
# - Call `eval()` before predicting, and know whether your $p$ means drop or
#   keep.
#
# ## Try this
#
# 1. Build `wide_mlp(64, 10, 0.5, width=32)` and train it like the others
#    (`dplots.train_digits(0.5, width=32)`). Does dropout still help a
#    *narrow* network? Why might it not?
# 2. Use the spread of the Monte-Carlo passes as an uncertainty score: are
#    the validation images where the $K$ passes disagree most also the ones
#    the network gets wrong?
# 3. Put `rk.Dropout(0.2)` on the **input** pixels too. Does the chapter's
#    advice (a small rate for inputs) hold on the digits?
