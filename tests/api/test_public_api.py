"""The public API: lazy top-level and subpackage exports that all resolve."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import coopgov

LAZY_PACKAGES = ["coopgov", "coopgov.dynamics", "coopgov.games"]


def _type_checking_names(package: str) -> dict[str, str]:
    """Names imported under ``if TYPE_CHECKING:`` in a package's ``__init__``, with module."""
    path = Path(importlib.import_module(package).__file__)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                for alias in imp.names:
                    assert alias.asname == alias.name, alias.name  # explicit re-export
                    out[alias.name] = imp.module
    return out


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_all_table_and_type_checking_block_agree(package):
    mod = importlib.import_module(package)
    public = set(mod.__all__) - {"__version__"}
    assert len(mod.__all__) == len(set(mod.__all__)), "duplicate in __all__"
    assert public == set(mod._EXPORTS)
    assert _type_checking_names(package) == mod._EXPORTS


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_exported_name_resolves_to_its_definition(package):
    mod = importlib.import_module(package)
    for name in mod.__all__:
        value = getattr(mod, name)
        if name != "__version__":
            assert value is getattr(importlib.import_module(mod._EXPORTS[name]), name), name
        assert name in dir(mod)
    namespace: dict[str, object] = {}
    exec(f"from {package} import *", namespace)  # noqa: S102 - star import uses __all__
    assert set(mod.__all__) <= set(namespace)


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_unknown_name_is_an_attribute_error(package):
    mod = importlib.import_module(package)
    with pytest.raises(AttributeError, match="no_such_name"):
        mod.no_such_name  # noqa: B018
    assert not hasattr(mod, "no_such_name")


def test_top_level_names_are_the_subpackages_objects():
    from coopgov import dynamics, games, region, scenarios, standards

    assert coopgov.simulate is dynamics.simulate
    assert coopgov.load_region is region.load_region
    assert coopgov.Scenario is scenarios.Scenario
    assert coopgov.shapley_value is games.shapley_value
    assert coopgov.aqi_report is standards.aqi_report


@pytest.mark.parametrize(
    ("statement", "absent"),
    [
        ("import coopgov", ("numpy", "numba", "pandas", "scipy", "coopgov.region")),
        ("import coopgov.games", ("numpy", "scipy", "coopgov.games.cooperative")),
        ("import coopgov.dynamics", ("numba", "pandas", "coopgov.dynamics.engine")),
        ("import coopgov; coopgov.__version__; dir(coopgov)", ("numpy", "numba")),
    ],
)
def test_importing_a_package_loads_no_heavy_module(statement, absent):
    code = f"import sys\n{statement}\nprint([m for m in {absent!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_first_use_imports_only_what_it_needs():
    code = (
        "import sys, coopgov\n"
        "r = coopgov.section_class({'do': 6.5})\n"
        "print(r.label, [m for m in ('numba', 'pandas', 'coopgov.dynamics.engine')"
        " if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "II []"
