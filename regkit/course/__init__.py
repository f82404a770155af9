"""Everything only the course's notebooks use; the library never imports it.

* ``teach``        notebook set-up, ``show_source``, ``band``/``claim`` checks;
* ``biasvar``, ``geometry``, ``sparsity``, ``calibration``: the experiments
  and measurements behind single lessons;
* ``plots``        drawing (matplotlib);
* ``widgets``      the live dashboards (ipywidgets);
* ``exercises``    the notebooks' exercises and their checkers;
* ``render``       ``python -m regkit.course.render figures/`` writes every PNG.
"""
