"""Sweeps: many scenarios from one file, evaluated on Dask, stored as Parquet, analysed.

A sweep file names a base scenario, the items to switch on and off (projects, or the changes
of a scenario file), an optional grid of parameter values, and the targets to record. The
modules, in the order of the flow:

- :mod:`commute.sweep.spec`: read and validate a sweep file (every problem at once);
- :mod:`commute.sweep.expand`: the scenarios it makes (subsets x grid points);
- :mod:`commute.sweep.masked`: one compiled engine per worker, patched per subset;
- :mod:`commute.sweep.evaluate`: the metric rows of a batch of scenarios;
- :mod:`commute.sweep.store`: the Parquet dataset, keyed by scenario content hash;
- :mod:`commute.sweep.runner`: batches on ``dask.distributed`` (LocalCluster or a scheduler);
- :mod:`commute.sweep.shapley`: exact and permutation-sampled Shapley values;
- :mod:`commute.sweep.analysis`: smallest passing subsets, Pareto front, contributions.
"""
