"""Lazy re-exports for package namespaces (PEP 562).

``import coopgov`` runs at every start of the command line, whose ``--help``
must not pay for NumPy, numba or pandas.  A package therefore declares what
it re-exports as a table ``name -> module`` and imports a module only when
one of its names is first looked up; the value is then cached in the
package's namespace, so later look-ups cost nothing.  Type checkers see the
same names through an ``if TYPE_CHECKING:`` block of plain imports beside
the table (tests check that the table, the block and ``__all__`` agree).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` that import re-exported names on first use.

    Parameters
    ----------
    package : str
        ``__name__`` of the package whose namespace is filled.
    exports : mapping of str to str
        Public name -> fully qualified module that defines it.

    Returns
    -------
    (getattr, dir)
        Functions to bind as the package's ``__getattr__`` and ``__dir__``.
    """
    table = dict(exports)

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(importlib.import_module(package), name, value)  # cache: no second look-up
        return value

    def __dir__() -> list[str]:
        namespace = vars(importlib.import_module(package))
        return sorted(set(namespace) | set(table))

    return __getattr__, __dir__
