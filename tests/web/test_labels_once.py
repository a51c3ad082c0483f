"""Each label of the model is declared once, in Python, and served to the dashboard.

The page's own texts live in ``static/i18n.js``; labels of the model's things
(force terms and their families, levers, warning levels, provinces) come from
:func:`coopgov.report.labels.display_labels` through ``/api/meta``.  These tests
fail when such a label is written again in the JavaScript.
"""

from __future__ import annotations

import re
from importlib.resources import files

from coopgov.model.forces import FAMILIES, FORCE_TERMS
from coopgov.model.levers import LEVERS
from coopgov.report.labels import display_labels, warning_level_labels
from coopgov.standards.warning import LEVEL_NAMES, LEVEL_NAMES_ZH


def _i18n_entries() -> dict[str, str]:
    text = files("coopgov.web").joinpath("static/i18n.js").read_text(encoding="utf-8")
    body = text[: text.index("const PLOTLY_ZH")]
    return dict(re.findall(r'"([^"]+)":\s*"((?:[^"\\]|\\.)*)"', body))


def test_no_model_label_is_written_in_the_javascript():
    entries = _i18n_entries()
    assert entries, "i18n.js could not be read"
    assert not [k for k in entries if k.startswith(("family.", "warn.", "force.", "lever."))]
    labels = display_labels()
    python_labels = {
        text
        for table in ("force_terms", "families", "warning_levels", "provinces")
        for pair in labels[table].values()
        for text in pair
    } | {text for lv in LEVERS.values() for text in (lv.label_en, lv.label_zh)}
    # texts of the page that happen to equal a model label would be fine, but none do today
    assert sorted(python_labels & set(entries.values())) == []


def test_meta_serves_every_label_in_both_languages():
    labels = display_labels()
    assert set(labels["force_terms"]) == {t.name for t in FORCE_TERMS}
    assert set(labels["families"]) == set(FAMILIES)
    assert labels["warning_levels"] == {
        "0": ["none", "无"],
        **{str(k): [LEVEL_NAMES[k], LEVEL_NAMES_ZH[k]] for k in range(1, len(LEVEL_NAMES))},
    }
    assert warning_level_labels()[4] == ("red", "红色")
    for table in ("force_terms", "families", "warning_levels"):
        for name, pair in labels[table].items():
            assert len(pair) == 2 and all(pair), (table, name)
