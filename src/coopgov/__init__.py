"""coopgov: computable cooperation dynamics in cross-regional environmental governance.

Local governments of a region (the Yangtze River Delta built in) as players.

The package is layered (see the README, "Layout"): ``standards``, ``region``,
``games`` and ``compensation`` import nothing of coopgov's beyond the shared
utilities in :mod:`coopgov.errors` and :mod:`coopgov.io`; ``model`` and
``dynamics`` build on ``region``; ``experiments`` on ``dynamics``;
``platform`` on ``standards`` and ``region``; ``cli``, ``report`` and ``web``
sit on top and hold no model logic.
"""

__version__ = "0.1.0"
