"""Everything only the course's notebooks use; the library never imports it.

* ``teach``        notebook set-up, ``show_source``, ``band``/``claim`` checks;
* ``experiments``  what the lessons train and measure (NumPy and regkit only:
  bias-variance, geometry, sparsity, calibration, one module per notebook);
* ``plots``        drawing, given the experiments' results (matplotlib);
* ``widgets``      the live dashboards (ipywidgets);
* ``exercises``    the notebooks' exercises and their checkers;
* ``render``       ``python -m regkit.course.render figures/`` writes every PNG;
* ``server``       the Jupyter server's kernel connection ``make lab`` selects
  (sends each message at once; only the server imports it).
"""
