"""The dashboard in a real browser: headless Chromium against a real uvicorn server.

Each test opens pages, moves sliders, presses buttons and checks what the page
shows; the ``dash`` fixture fails any test whose page asked for a URL outside
127.0.0.1.  Screenshots are saved under ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import statistics
import time

import pytest
from web_helpers import ARTIFACTS, JX, SH, SZ

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PAGES = ("map", "builder", "forces", "compensation", "monitoring", "experiments", "about")

# Moves a slider as a user would (value + input event) and resolves when the
# monitor changes, with the time from the input event to that update [ms].
MOVE_SLIDER = """
async ([id, value, monitor]) => {
  const input = document.getElementById(id);
  const mon = document.getElementById(monitor);
  const before = mon.textContent;
  return await new Promise((resolve, reject) => {
    let t0 = 0;
    const obs = new MutationObserver(() => {
      obs.disconnect();
      resolve({ms: performance.now() - t0, before, after: mon.textContent});
    });
    obs.observe(mon, {childList: true, characterData: true, subtree: true});
    setTimeout(() => { obs.disconnect(); reject(new Error("monitor did not update")); }, 10000);
    input.value = String(value);
    t0 = performance.now();
    input.dispatchEvent(new Event("input", {bubbles: true}));
  });
}
"""

FILLS = """
(id) => Array.from(document.querySelectorAll('#' + id + ' path.city'))
          .map((p) => p.getAttribute('fill'))
"""


def fills(dash, map_id: str) -> list[str]:
    return dash.page.evaluate(FILLS, map_id)


def settled_fills(dash, map_id: str, timeout_s: float = 15.0) -> list[str]:
    """The map's fills once two reads 0.3 s apart agree (the redraw after a fetch is async)."""
    deadline = time.monotonic() + timeout_s
    last = fills(dash, map_id)
    while time.monotonic() < deadline:
        dash.page.wait_for_timeout(300)
        now = fills(dash, map_id)
        if now == last:
            return now
        last = now
    return last


def changed_fills(dash, map_id: str, before: list[str], timeout_s: float = 15.0) -> list[str]:
    """The map's fills once they differ from ``before`` (or the last read at the timeout)."""
    deadline = time.monotonic() + timeout_s
    now = fills(dash, map_id)
    while now == before and time.monotonic() < deadline:
        dash.page.wait_for_timeout(100)
        now = fills(dash, map_id)
    return now


def text(dash, selector: str) -> str:
    return dash.page.locator(selector).inner_text()


def test_every_page_opens_offline(dash):
    dash.open("map")
    for name in PAGES:
        dash.page.click(f"#nav a[data-page='{name}']")
        dash.page.wait_for_selector(f"#page-{name}.active")
        dash.page.wait_for_timeout(300)
        dash.screenshot(f"page-{name}")
    # the map draws the 41 cities and the 4 provinces from the bundled GeoJSON
    assert dash.page.locator("#map-main path.city").count() == 41
    assert dash.page.locator("#map-main path.province").count() == 4
    assert dash.errors == []
    assert any(u.endswith("/vendor/plotly.min.js") for u in dash.requests)


def test_builder_slider_setup_go(dash):
    dash.open("builder")
    page = dash.page
    page.wait_for_selector("#plot-coop .main-svg")
    assert text(dash, "#tick-label") == "2026"
    cost_before = text(dash, "#mon-cost")
    map_before = fills(dash, "map-builder")

    # slider -> the cost monitor follows; time each update from the input event
    latencies = []
    for k, value in enumerate((0.5, 1.0, 0.25, 0.75, 1.0, 0.6, 0.9)):
        lever = ("joint_mechanism", "enforcement", "fiscal_balance")[k % 3]
        got = page.evaluate(MOVE_SLIDER, [f"lever-{lever}", value, "mon-cost"])
        latencies.append(got["ms"])
    assert text(dash, "#mon-cost") != cost_before
    assert text(dash, "#lever-value-joint_mechanism") == "0.90"  # last value moved
    end_before = text(dash, "#mon-end")

    page.click("#btn-setup")
    page.click("#btn-once")
    assert text(dash, "#tick-label") == "2027"
    page.click("#btn-go")
    page.wait_for_function(
        "() => Number(document.getElementById('tick-label').textContent) >= 2031"
    )
    page.click("#btn-go")  # pause
    tick = text(dash, "#tick-label")
    page.wait_for_timeout(400)
    assert text(dash, "#tick-label") == tick  # paused
    coop = float(text(dash, "#mon-coop"))
    assert coop != 0.1  # moved away from the initial propensity (parameters: 0.1)
    assert fills(dash, "map-builder") != map_before

    # a slider moved during a run changes the lever from the current year on
    got = page.evaluate(MOVE_SLIDER, ["lever-technology", 1.0, "mon-end"])
    latencies.append(got["ms"])
    assert got["after"] != end_before
    dash.screenshot("builder-after-go")

    report = {
        "slider_to_monitor_ms": [round(x, 1) for x in latencies],
        "median_ms": round(statistics.median(latencies), 1),
        "max_ms": round(max(latencies), 1),
        "target_ms": 300,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "dashboard-latency.json").write_text(json.dumps(report, indent=2))
    print("\nslider -> monitor update:", report)
    assert dash.errors == []


def test_compare_and_download(dash):
    dash.open("builder")
    page = dash.page
    page.fill("#save-name", "mine")
    page.click("#btn-save")
    page.select_option("#compare-builtin", "package")
    page.click("#btn-add-builtin")
    page.wait_for_function("() => document.querySelectorAll('#compare-table tr').length === 4")
    rows = page.locator("#compare-table tr").all_inner_texts()
    assert rows[1].startswith("mine") and "Package" in rows[2] or "package" in rows[2].lower()
    with page.expect_download() as dl:
        page.click("#btn-csv")
    csv = open(dl.value.path(), encoding="utf-8").read().splitlines()
    assert csv[0].startswith("scenario,year,adcode,cooperation")
    # current + two saved scenarios, 31 states x 41 cities each
    assert len(csv) == 1 + 3 * 31 * 41
    with page.expect_download() as dl:
        page.click("#btn-json")
    data = json.load(open(dl.value.path(), encoding="utf-8"))
    assert [s["name"] for s in data["scenarios"]][:2] == ["current", "mine"]
    dash.screenshot("builder-compare")


def test_map_year_slider_play_and_hover(dash):
    dash.open("map")
    page = dash.page
    page.select_option("#map-scenario", "package")
    page.wait_for_function("() => document.getElementById('map-year').max === '30'")
    start = settled_fills(dash, "map-main")
    page.evaluate("""() => { const s = document.getElementById('map-year');
                     s.value = '30'; s.dispatchEvent(new Event('input')); }""")
    assert text(dash, "#map-year-label") == "2056"
    end = changed_fills(dash, "map-main", start)
    assert end != start
    page.select_option("#map-variable", "transfers")
    assert changed_fills(dash, "map-main", end) != end
    page.hover(f"#map-main path[data-adcode='{SH}']")
    assert "上海" in text(dash, "#map-details")
    page.click("#map-play")
    page.wait_for_timeout(700)
    assert text(dash, "#map-year-label") != "2056"  # restarted from the first year
    page.click("#map-play")
    dash.screenshot("map-transfers")


def test_force_field_click_a_city(dash):
    dash.open("forces")
    page = dash.page
    page.wait_for_selector("#plot-forces .main-svg")
    page.click(f"#map-forces path[data-adcode='{JX}']")
    page.wait_for_function(
        f"() => document.getElementById('plot-forces').dataset.adcode === '{JX}'"
    )
    assert "Jiaxing" in text(dash, "#forces-city")
    # one bar per force term of the model + payoff difference + cooperation
    n_terms = len(dash.page.evaluate("window.coopgov.meta.force_terms"))
    assert page.evaluate("document.getElementById('plot-forces').data.length") == n_terms + 2
    names = page.evaluate("document.getElementById('plot-forces').data.map((d) => d.name)")
    assert not [n for n in names if "_" in n], names  # readable labels, not identifiers
    # cooperation drawn in its own panel (never behind the bars), axis 0-1 in quarters
    layout = page.evaluate("document.getElementById('plot-forces').layout.yaxis2")
    assert layout["range"] == [0, 1] and layout["tickvals"] == [0, 0.25, 0.5, 0.75, 1]
    # the chart fills its panel
    box = page.locator("#plot-forces .main-svg").first.bounding_box()
    panel = page.locator("#plot-forces").bounding_box()
    assert box["width"] > 0.9 * panel["width"] and box["height"] >= 600
    dash.screenshot("forces-jiaxing")


def test_compensation_and_allocation_map(dash):
    dash.open("compensation")
    page = dash.page
    page.wait_for_selector("#xinan-result table")
    assert "downstream pays upstream" in text(dash, "#xinan-result")
    page.wait_for_selector("#pt-result table")
    page.select_option("#alloc-method", "shapley")
    third_column = "document.querySelector('#alloc-table tr th:nth-child(3)')"
    page.wait_for_function(f"() => {third_column} !== null")
    assert page.locator("#alloc-table tr").count() == 42
    page.select_option("#alloc-method", "ues")
    page.wait_for_function(f"() => {third_column} === null")
    assert "UES" in text(dash, "#alloc-note")
    # river costs are never negative: a one-sided scale, and the legend says it is not linear
    assert "not linear" in text(dash, "#alloc-legend")
    # one unit per money column
    units = {
        c.split()[-1]
        for c in page.locator("#alloc-table td:nth-child(2)").all_inner_texts()
        if c != "–" and " " in c
    }
    assert len(units) <= 1, units
    dash.screenshot("compensation")


def test_monitoring_colours_cities_by_aqi_category(dash):
    dash.open("monitoring")
    page = dash.page
    page.wait_for_function("() => document.getElementById('monit-date').value === '2025-01-01'")
    page.wait_for_selector("#monit-table tr td")
    # HJ 633-2012 category colours: AQI 119 orange, 86 yellow, 350 maroon
    fill = {
        code: page.get_attribute(f"#map-monit path[data-adcode='{code}']", "fill").lower()
        for code in (SH, SZ, JX)
    }
    assert fill == {SH: "#ff7e00", SZ: "#ffff00", JX: "#7e0023"}
    # the category is written on the map beside its colour
    label = page.locator(f"#map-monit text.city-label[data-adcode='{JX}']").text_content()
    assert "350" in label and "severely polluted" in label
    assert "HJ 633" in text(dash, "#monit-info")
    dash.screenshot("monitoring")
    # a day without data says so, with the range that has data
    page.fill("#monit-date", "2024-06-01")
    page.dispatch_event("#monit-date", "change")
    page.wait_for_selector("#monit-nodata:not(.hidden)")
    msg = text(dash, "#monit-nodata")
    assert "No data for this day (2024-06-01)" in msg and "2025-01-01" in msg
    assert not page.locator("#monit-body").is_visible()
    dash.screenshot("monitoring-no-data")


def test_language_switch(dash):
    dash.open("builder")
    page = dash.page
    page.click("#lang-toggle")
    assert text(dash, "#nav a[data-page='map']") == "地图"
    assert text(dash, "#btn-setup") == "初始化"
    assert "联防联控" in text(dash, "#lever-sliders")
    page.click("#nav a[data-page='about']")
    assert page.locator("#page-about .lang-zh").is_visible()
    assert not page.locator("#page-about .lang-en").is_visible()
    dash.screenshot("about-zh")
    page.click("#lang-toggle")
    assert text(dash, "#nav a[data-page='map']") == "Map"


# --------------------------------------------------------------------------
# saved work, labels, charts, Chinese, phones, inputs, anchors, experiments
# --------------------------------------------------------------------------
BAD_SAMPLES = b"section,date,factor,value,unit\nJiekou,2012-01-05,codmn,abc,mg/L\n"


def wait_text(page, element_id: str, words: str) -> None:
    """Wait until the element's text contains ``words``."""
    page.wait_for_function(
        "([id, w]) => document.getElementById(id).textContent.includes(w)", arg=[element_id, words]
    )


def _latency(name: str, values: list[float]) -> None:
    """Add interaction latencies [ms] to test-artifacts/dashboard-latency.json."""
    path = ARTIFACTS / "dashboard-latency.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = {
        "values_ms": [round(v, 1) for v in values],
        "median_ms": round(statistics.median(values), 1),
        "max_ms": round(max(values), 1),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(data, indent=2))


def test_saved_work_survives_reload_and_round_trips(dash, tmp_path):
    from coopgov.scenarios import load_scenario

    dash.open("builder")
    page = dash.page
    page.evaluate("localStorage.removeItem('coopgov.saved.v1')")
    page.evaluate(MOVE_SLIDER, ["lever-joint_mechanism", 0.7, "mon-cost"])
    page.evaluate("""() => { const s = document.getElementById('param-central_penalty');
                     s.value = '3'; s.dispatchEvent(new Event('input')); }""")
    # the URL state is written after the page has handled the input: wait until it holds it
    page.wait_for_function("""() => { try {
        const st = JSON.parse(unb64(new URL(location.href).searchParams.get('s')));
        return Number(st.parameters.central_penalty) === 3
            && Number((st.schedule.joint_mechanism || {})[st.start]) === 0.7;
      } catch (e) { return false; } }""")
    page.fill("#save-name", "mine")
    page.click("#btn-save")
    page.wait_for_function(
        "() => JSON.parse(localStorage.getItem('coopgov.saved.v1') || '[]').length === 1"
    )
    shared = page.url
    # reload: the builder's scenario comes back from the URL, the saved one from local storage
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert page.input_value("#lever-joint_mechanism") == "0.7"
    assert text(dash, "#lever-value-joint_mechanism") == "0.70"
    assert page.input_value("#param-central_penalty") == "3"
    page.wait_for_function("() => document.querySelectorAll('#compare-table tr').length === 3")
    assert text(dash, "#compare-table").count("mine") == 1
    # the URL alone (a shared link, fresh storage) restores the scenario
    page.evaluate("localStorage.clear()")
    page.goto(shared)
    page.wait_for_selector("body[data-ready='1']")
    assert page.input_value("#lever-joint_mechanism") == "0.7"

    # export TOML: coopgov run --scenario reads it
    page.fill("#save-name", "exported one")
    with page.expect_download() as dl:
        page.click("#btn-toml")
    toml = tmp_path / "exported.toml"
    toml.write_bytes(open(dl.value.path(), "rb").read())
    sc = load_scenario(toml)
    assert sc.name == "exported-one" and sc.title == "exported one"
    assert sc.levers["joint_mechanism"] == pytest.approx(0.7)
    assert sc.parameters["central_penalty"] == pytest.approx(3.0)

    # download JSON, then load it back into a page with empty storage
    page.fill("#save-name", "second")
    page.click("#btn-save")
    with page.expect_download() as dl:
        page.click("#btn-json")
    saved_json = tmp_path / "scenarios.json"
    saved_json.write_bytes(open(dl.value.path(), "rb").read())
    page.evaluate("localStorage.clear()")
    page.goto(dash.base + "/dashboard/#builder")
    page.wait_for_selector("body[data-ready='1']")
    assert page.input_value("#lever-joint_mechanism") == "0"
    page.set_input_files("#import-file", str(saved_json))
    wait_text(page, "compare-note", "Imported")
    assert page.input_value("#lever-joint_mechanism") == "0.7"
    assert "second" in text(dash, "#compare-table")
    # and a TOML file (the one exported above) loads into the builder
    page.set_input_files("#import-file", str(toml))
    wait_text(page, "compare-note", "exported.toml")
    assert page.input_value("#param-central_penalty") == "3"
    # a file that is neither says so
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": 1}')
    page.set_input_files("#import-file", str(bad))
    wait_text(page, "compare-note", "bad.json")
    assert "not a coopgov JSON" in text(dash, "#compare-note")
    dash.screenshot("builder-saved-work")
    assert dash.errors == []


def test_city_labels_are_unique_everywhere(dash):
    dash.open("map")
    page = dash.page
    for lang in ("en", "zh"):
        labels = page.evaluate(f"window.coopgov.meta.cities.map((c) => c.label_{lang})")
        assert len(labels) == 41 and len(set(labels)) == 41
    drawn = page.locator("#map-main text.city-label").all_text_contents()
    assert len(drawn) == 41
    page.hover("#map-main path[data-adcode='341300']")
    assert "Suzhou (Anhui)" in text(dash, "#map-details")
    page.click("#nav a[data-page='forces']")
    page.click("#map-forces path[data-adcode='321200']")
    page.wait_for_function(
        "() => document.getElementById('plot-forces').dataset.adcode === '321200'"
    )
    assert "Taizhou (Jiangsu)" in text(dash, "#forces-city")


def test_every_toolbar_button_stays_local(dash):
    """Click every button of every chart's toolbar on every page; none may leave 127.0.0.1."""
    dash.open("map")
    page = dash.page
    clicked = 0
    for name in ("builder", "forces", "compensation", "experiments"):
        page.click(f"#nav a[data-page='{name}']")
        page.wait_for_selector(
            f"#page-{name} .js-plotly-plot .modebar", state="attached", timeout=30_000
        )
        page.wait_for_timeout(300)
        assert (
            page.locator(
                f"#page-{name} [data-title*='Cloud'], #page-{name}"
                f" [data-title*='Share'],"
                f" #page-{name} [data-title*='Chart Studio']"
            ).count()
            == 0
        )
        for plot_id in page.evaluate(
            f"Array.from(document.querySelectorAll('#page-{name}"
            f" .js-plotly-plot'))"
            ".filter((p) => p.offsetParent).map((p) => p.id)"
        ):
            buttons = page.locator(f"#{plot_id} .modebar-btn")
            for k in range(buttons.count()):
                btn = buttons.nth(k)
                page.hover(f"#{plot_id}")
                if (btn.get_attribute("data-title") or "").lower().startswith("download plot"):
                    with page.expect_download():
                        btn.click(force=True)
                else:
                    btn.click(force=True)
                clicked += 1
    assert clicked >= 20
    # the API docs come from the package too
    page.goto(dash.base + "/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=30_000)
    dash.screenshot("api-docs")
    assert dash.errors == []


# Numbers, units, standards and proper names that stay as they are in Chinese text.
ALLOWED_LATIN = (
    "coopgov PM2\\.5 PM10 PM SO2 NOx NO2 CO O3 AQI IAQI HJ "
    "GB CSV JSON TOML GDP COD NH3-N TN TP ABM LRS UES "
    "DES Shapley Chander Tulkens Ni Wang Castro Mäler NetLogo Wilensky c0 k0 "
    "P S1 ST PRIM Sobol NA setup go once Info SPEC min "
    "max yrd YRD A B C D U mg L m3 s "
    "t µg ug km x y e8 bn et al Jiekou City County "
    "Plotly plotly zh en "
)
VISIBLE_LATIN_ONLY = r"""
() => {
  // Latin-only visible text: no CJK character, at least one Latin letter after removing
  // numbers, units, standards and proper names (elements marked translate="no" or <code>).
  const allowed = new RegExp("\\b(" + ALLOWED + ")\\b", "g");
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    const skip = "code, [translate='no'], script, style, .modebar, #lang-toggle, .hidden";
    if (!el || el.closest(skip)) continue;
    if (!el.getClientRects().length || getComputedStyle(el).visibility === "hidden") continue;
    let s = n.textContent.trim();
    if (!s || /[\u3000-\u9fff\uff00-\uffef]/.test(s)) continue;
    s = s.replace(allowed, "").replace(/\$[A-Z_]+/g, "").replace(/\.\/\w+/g, "");
    if (/[A-Za-z]{2,}/.test(s)) out.push(n.textContent.trim().slice(0, 80));
  }
  for (const e of document.querySelectorAll("[placeholder], [aria-label]")) {
    if (!e.getClientRects().length) continue;
    for (const a of ["placeholder", "aria-label"]) {
      const v = e.getAttribute(a);
      if (v && !/[\u3000-\u9fff]/.test(v) && /[A-Za-z]{2,}/.test(v.replace(allowed, ""))) {
        out.push(a + ": " + v);
      }
    }
  }
  return out;
}
"""


def test_chinese_throughout(dash):
    dash.open("builder")
    page = dash.page
    page.click("#lang-toggle")
    page.wait_for_timeout(300)
    # the builder's legend follows the toggle
    assert "合作度" in text(dash, "#builder-legend")
    page.select_option("#builder-base", "history")
    page.wait_for_timeout(400)
    found = {}
    for name in PAGES:
        page.click(f"#nav a[data-page='{name}']")
        page.wait_for_selector(f"#page-{name}.active")
        if name == "compensation":
            page.wait_for_selector("#xinan-result table")
            page.wait_for_selector("#alloc-table tr td")
        if name == "monitoring":
            page.wait_for_selector("#monit-table tr td")
        if name == "experiments":
            page.wait_for_selector("#plot-exp-prim .main-svg", timeout=30_000)
        if name == "forces":
            page.wait_for_selector("#plot-forces .main-svg")
        page.wait_for_timeout(400)
        bad = page.evaluate(
            VISIBLE_LATIN_ONLY.replace("ALLOWED", json.dumps("|".join(ALLOWED_LATIN.split())))
        )
        if bad:
            found[name] = bad
        dash.screenshot(f"zh-{name}")
    assert found == {}, found
    page.click("#nav a[data-page='compensation']")
    assert "新安江" in page.locator("#xinan-preset").inner_text()
    assert "上游" in text(dash, "#xinan-result") or "下游" in text(dash, "#xinan-result")
    page.click("#nav a[data-page='builder']")
    assert page.get_attribute("#save-name", "placeholder") == "保存情景的名称"


def test_inputs_say_what_they_did(dash):
    dash.open("builder")
    page = dash.page
    page.wait_for_selector("#plot-coop .main-svg")
    for bad, words in (
        ("0", "between 1 and 500"),
        ("-5", "between 1 and 500"),
        ("501", "between 1 and 500"),
        ("2.5", "whole number"),
    ):
        page.fill("#builder-years", bad)
        page.dispatch_event("#builder-years", "change")
        page.wait_for_function("() => document.getElementById('builder-error').textContent !== ''")
        msg = text(dash, "#builder-error")
        assert words in msg and "Years" in msg and bad in msg, msg
        # stale results are gone
        assert text(dash, "#mon-coop") == "–"
        assert page.locator("#plot-coop .main-svg").count() == 0
    dash.screenshot("builder-invalid-years")
    page.fill("#builder-years", "30")
    page.fill("#builder-start", "1850")
    page.dispatch_event("#builder-start", "change")
    wait_text(page, "builder-error", "1900")
    assert text(dash, "#mon-end") == "–"
    page.fill("#builder-start", "2026")
    page.dispatch_event("#builder-start", "change")
    page.wait_for_function("() => document.getElementById('mon-coop').textContent !== '–'")
    assert text(dash, "#builder-error") == ""
    # a Xin'an year without data: a message with the years that have data, no server path
    page.click("#nav a[data-page='compensation']")
    page.wait_for_selector("#xinan-result table")
    page.fill("#xinan-year", "2030")
    page.click("#btn-xinan")
    page.wait_for_selector("#xinan-result .error")
    msg = text(dash, "#xinan-result")
    assert "No data for 2030" in msg and "2012–2014" in msg and "/" not in msg
    assert page.locator("#plot-xinan .main-svg").count() == 0
    # and what the server answers (an uploaded CSV with a bad row) names no path either
    page.fill("#xinan-year", "")
    page.set_input_files(
        "#xinan-file", files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": BAD_SAMPLES}]
    )
    page.click("#btn-xinan")
    page.wait_for_function(
        "() => document.querySelector('#xinan-result .error') && "
        "document.querySelector('#xinan-result .error').textContent"
        ".includes('uploaded')"
    )
    shown = text(dash, "#xinan-result")
    assert "/tmp" not in shown and "site-packages" not in shown
    dash.screenshot("compensation-errors")


def test_parameter_sliders_speed_and_bands(dash):
    dash.open("builder")
    page = dash.page
    page.wait_for_selector("#plot-coop .main-svg")
    n_params = page.evaluate("window.coopgov.meta.parameters.length")
    assert page.locator("#param-sliders input[type=range]").count() == n_params
    page.click("#param-box summary")
    # bounds from PARAMETER_INFO
    lo, hi = page.evaluate("""() => { const p = window.coopgov.meta.parameters
                               .find((q) => q.name === 'detection');
                               return p.bounds; }""")
    assert float(page.get_attribute("#param-detection", "min")) == lo
    assert float(page.get_attribute("#param-detection", "max")) == hi
    latencies = []
    for v in (0.9, 0.1, 0.5):
        got = page.evaluate(MOVE_SLIDER, ["param-detection", v, "mon-end"])
        latencies.append(got["ms"])
    _latency("parameter_slider_to_monitor", latencies)
    # ABM replication bands drawn around the mean-field line
    page.wait_for_function(
        "() => document.getElementById('plot-coop').data.some((d) => d.fill === 'tonexty')"
    )
    bands = page.evaluate("window.coopgov.bands")
    assert bands["kind"] == "abm_replications"
    assert bands["quantiles"] == [0.05, 0.25, 0.5, 0.75, 0.95]
    lo5, hi95 = bands["values"][0], bands["values"][-1]
    assert all(a <= b for a, b in zip(lo5, hi95, strict=True))
    # speed control: 20 years/s runs faster than 1 year/s
    page.click("#btn-setup")
    page.evaluate("""() => { const s = document.getElementById('go-speed'); s.value = '20';
                     s.dispatchEvent(new Event('input')); }""")
    assert "20" in text(dash, "#go-speed-label")
    page.click("#btn-go")
    page.wait_for_timeout(600)
    page.click("#btn-go")
    fast = int(text(dash, "#tick-label")) - 2026
    page.click("#btn-setup")
    page.evaluate("""() => { const s = document.getElementById('go-speed'); s.value = '1';
                     s.dispatchEvent(new Event('input')); }""")
    page.click("#btn-go")
    page.wait_for_timeout(600)
    page.click("#btn-go")
    slow = int(text(dash, "#tick-label")) - 2026
    assert fast >= 5 and slow <= 1, (fast, slow)
    dash.screenshot("builder-parameters-bands")
    assert dash.errors == []


def test_map_keeps_the_year_and_shows_one_pm25_quantity(dash):
    dash.open("map")
    page = dash.page
    page.select_option("#map-scenario", "package")
    page.wait_for_function("() => document.getElementById('map-year').max === '30'")
    page.evaluate("""() => { const s = document.getElementById('map-year');
                     s.value = '10'; s.dispatchEvent(new Event('input')); }""")
    assert text(dash, "#map-year-label") == "2036"
    t0 = page.evaluate("performance.now()")
    page.select_option("#map-scenario", "baseline")
    page.wait_for_function(
        "() => window.coopgov.map.scenario === 'baseline' && "
        "document.getElementById('map-year-label').textContent === '2036'"
    )
    _latency("map_scenario_change", [page.evaluate("performance.now()") - t0])
    page.select_option("#map-variable", "pm25")
    assert "change vs no cooperation" in text(dash, "#map-legend")
    assert "%" in page.locator("#map-main text.city-label tspan").first.text_content()
    dash.screenshot("map-pm25")


def test_experiments_page(dash):
    dash.open("experiments")
    page = dash.page
    t0 = page.evaluate("performance.now()")
    page.wait_for_selector("#plot-exp-prim .main-svg", timeout=30_000)
    for plot_id in ("plot-exp-ranking", "plot-exp-sobol", "plot-exp-features", "plot-exp-box"):
        page.wait_for_selector(f"#{plot_id} .main-svg")
    assert page.evaluate("document.getElementById('plot-exp-sobol').data.length") == 2
    chosen = page.evaluate("window.coopgov.experiment.prim.chosen")
    assert page.get_attribute("#plot-exp-box", "data-step") == str(chosen)
    # pick another point of the trade-off: its box is shown
    n_steps = page.evaluate("window.coopgov.experiment.prim.coverage.length")
    target = 3 if chosen != 3 else 4
    t1 = page.evaluate("performance.now()")
    page.evaluate(f"""() => {{ const d = document.getElementById('plot-exp-prim');
        d.emit('plotly_click', {{points: [{{customdata: {target}}}]}}); }}""")
    page.wait_for_function(
        f"() => document.getElementById('plot-exp-box').dataset.step === '{target}'"
    )
    _latency("prim_point_to_box", [page.evaluate("performance.now()") - t1])
    assert n_steps > target
    box = page.evaluate(f"window.coopgov.experiment.prim.boxes[{target}]")
    rows = page.locator("#exp-box-table tr").count()
    assert rows == len(box) + 1
    dash.screenshot("experiments")
    _latency("experiments_page_open", [page.evaluate("performance.now()") - t0])
    assert dash.errors == []


def test_phone_layout(phone, tmp_path):
    phone.open("builder")
    page = phone.page
    page.wait_for_selector("#plot-coop .main-svg")
    for name in ("builder", "map", "forces", "compensation", "experiments"):
        page.click(f"#nav a[data-page='{name}']")
        page.wait_for_selector(f"#page-{name}.active")
        page.wait_for_timeout(500)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (name, width)
        phone.screenshot(f"phone-{name}")
    # chart titles wrap instead of being cut off
    page.click("#nav a[data-page='builder']")
    title = page.locator("#plot-pm25-title")
    assert title.bounding_box()["width"] <= 390


def test_report_on_a_phone_and_in_chinese(phone, tmp_path):
    from coopgov.region import load_region
    from coopgov.report import write_run_report
    from coopgov.scenarios import load_builtin
    from coopgov.scenarios.run import run_scenarios

    chosen = [load_builtin(n) for n in ("baseline", "package", "joint_mechanism")]
    results = run_scenarios(chosen, years=5, replications=2, seed=1)
    region = load_region(results.region_name)
    path = write_run_report(results, tmp_path / "report.html", region=region, lang="zh")
    html = path.read_text(encoding="utf-8")
    page = phone.page
    page.set_content(html, wait_until="load")
    page.wait_for_selector(".js-plotly-plot .main-svg")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "概要" in page.locator("h2").first.inner_text()
    phone.screenshot("phone-report-zh")
    size = {"report_bytes": len(html.encode("utf-8"))}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-size.json").write_text(json.dumps(size))
