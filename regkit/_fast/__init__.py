"""Private fast paths, each proven bit-identical to the readable code it replaces.

Nothing here is needed to understand regkit: every function has a plain
counterpart in the public modules (the one the notebooks show), and
``tests/test_fast_paths.py`` checks that the two give the same bits.

* ``optim``: the flat-buffer optimizer step that ``regkit.optim``'s
  optimizers run with ``fused=True`` (their default).
* ``dropout``: the dropout mask from raw generator bits, the same mask as
  ``functional.dropout_mask``'s ``rng.random(shape, dtype=float32) < 1 - p``;
  Dropout and DropConnect use it with ``fast_mask=True`` (their default).
"""
