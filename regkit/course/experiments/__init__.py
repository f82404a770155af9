"""The experiments behind the course's figures and dashboards: they compute, never draw.

One module per notebook topic, NumPy and regkit only (no matplotlib, no
ipywidgets), seeded, so a notebook, ``make figures`` and a dashboard that
call the same function get the same numbers:

* ``bias_variance``    polynomial bias/variance measured; notebook 01's digits runs;
* ``l1_l2``            Adam vs AdamW decay, digits per lambda, the sparse sweep;
* ``geometry``         the two-weight L1/L2 problem, solved exactly (notebook 02);
* ``dropout``          wide MLPs with Dropout/DropConnect, Monte-Carlo dropout;
* ``batchnorm``        deep MLPs with and without batch norm, running statistics;
* ``early_stopping``   one recorded run and the stopping rule replayed on it;
* ``augmentation``     transforms as sliders, training with augmentation;
* ``other_techniques`` label smoothing, mixup, gradient clipping, max-norm;
* ``calibration``      reliability bins and the expected calibration error;
* ``capstone``         the capstone's settings, ``rk.compare`` runs, any combination.

Every network here is built by :func:`regkit.mlp`. The pictures drawn from
these results are in :mod:`regkit.course.plots`; the dashboards in
:mod:`regkit.course.widgets` connect the two.
"""
