"""The service layer: the work a command or a web page asks for, written once.

``coopgov.cli`` and ``coopgov.web`` parse a request, call a function here and
print or serve its result; the functions here combine the model packages
(region, games, compensation, scenarios, report) and hold no parsing of
their own.  Layering: above ``scenarios``, ``games``, ``compensation`` and
``report``; below ``cli`` and ``web``.

Modules (imported one by one, so that a command loads only what it needs):

:mod:`coopgov.services.games`
    The emission game built from a region; river-cost sharing on a region's
    river forest.
:mod:`coopgov.services.compensation`
    Choosing a Xin'an-type bet scheme by round, file or year.
:mod:`coopgov.services.run`
    The summary of a ``coopgov run`` and the writing of its output folder.
"""
