"""Helpers for testing code built on coopgov.

:mod:`coopgov.testing.strategies` holds `Hypothesis <https://hypothesis.works>`_
strategies for the model's inputs (cooperation states, transfer, exposure
and neighbour matrices, parameter sets inside their declared bounds, lever
intensities and scenario lever settings), as ``xarray.testing.strategies``
does for xarray's objects.  It needs the ``hypothesis`` package (the
``test`` extra); importing this package alone does not.
"""
