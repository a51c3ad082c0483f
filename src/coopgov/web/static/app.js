/* coopgov dashboard: pages, NetLogo-style scenario builder, plots (plotly.js served locally). */
"use strict";

const S = {
  lang: localStorage.getItem("coopgov.lang") || "en",
  meta: null, geo: null, cityByCode: new Map(), leverIndex: new Map(),
  builder: {start: 2026, years: 30, schedule: {}, tick: 0, result: null, playing: null,
            base: "baseline", pending: null, seq: 0},
  saved: [],
  map: {result: null, scenario: "__current__", tick: 0, variable: "cooperation", playing: null},
  forces: {adcode: 320500},
  maps: {},
  metrics: {lastLatencyMs: null},
};
window.coopgov = S;  // for inspection (and the browser tests)

/* ---------------------------------------------------------------- helpers */
const $ = (id) => document.getElementById(id);
function t(key) {
  if (I18N[S.lang] && key in I18N[S.lang]) return I18N[S.lang][key];
  return key in I18N.en ? I18N.en[key] : key;
}
function cityName(code) {
  const c = S.cityByCode.get(Number(code));
  return c ? (S.lang === "zh" ? c.name_zh : c.name_en) : String(code);
}
function leverLabel(lv) { return S.lang === "zh" ? lv.label_zh : lv.label_en; }
function forceLabel(name) { const l = FORCE_LABELS[name]; return l ? l[S.lang === "zh" ? 1 : 0] : name; }
function money(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  if (v < 0) return "−" + money(-v);
  const a = Math.abs(v);
  if (S.lang === "zh") {
    if (a >= 1e8) return (v / 1e8).toFixed(a >= 1e10 ? 0 : 2) + " 亿元";
    if (a >= 1e4) return (v / 1e4).toFixed(0) + " 万元";
    return v.toFixed(0) + " 元";
  }
  if (a >= 1e9) return "¥" + (v / 1e9).toFixed(2) + " bn";
  if (a >= 1e6) return "¥" + (v / 1e6).toFixed(1) + " m";
  return "¥" + v.toFixed(0);
}
function pct(v, digits = 1) { return Number.isFinite(v) ? (100 * v).toFixed(digits) + "%" : "–"; }
function signedPct(v) { return Number.isFinite(v) ? (v > 0 ? "+" : "") + (100 * v).toFixed(2) + "%" : "–"; }
function status(msg, isError) {
  const el = $("status");
  el.textContent = msg || "";
  el.style.color = isError ? "#a33" : "#567";
}
async function api(path, body, signal) {
  const opts = body === undefined ? {signal} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body), signal};
  const res = await fetch(path, opts);
  const data = await res.json();
  if (!res.ok) {
    const where = [data.file, data.row ? "row " + data.row : null, data.field].filter(Boolean).join(", ");
    throw new Error((data.error || res.statusText) + (where ? " (" + where + ")" : ""));
  }
  return data;
}
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "style") e.style.cssText = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
function fillTable(table, head, rows) {
  table.replaceChildren(el("tr", {}, ...head.map((h) => el("th", {}, h))),
    ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c)))));
}
const PLOT_CONFIG = {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"]};
function plot(id, traces, layout) {
  if (typeof Plotly === "undefined") return;
  Plotly.react($(id), traces, Object.assign({
    margin: {l: 55, r: 15, t: 35, b: 35}, font: {size: 11}, legend: {orientation: "h", y: -0.18},
    paper_bgcolor: "#fff", plot_bgcolor: "#fff",
  }, layout), PLOT_CONFIG);
}

/* ---------------------------------------------------------------- colours */
function colourFor(variable, values) {
  const sc = CoopMap.SCALES;
  if (variable === "cooperation") return {scale: sc.sequential, lo: 0, hi: 1, f: (v) => sc.sequential(v), fmt: (v) => v.toFixed(1)};
  if (variable === "pm25") {
    const finite = values.filter(Number.isFinite);
    const lo = Math.min(0.75, ...finite), hi = 1;
    return {scale: sc.pollution, lo, hi, f: (v) => sc.pollution((v - lo) / (hi - lo || 1)), fmt: (v) => v.toFixed(2)};
  }
  // Signed square-root scale: a few large values (Shanghai) would otherwise wash out the rest.
  const m = Math.max(1, ...values.filter(Number.isFinite).map(Math.abs));
  return {scale: sc.diverging, lo: -m, hi: m, fmt: money,
          f: (v) => sc.diverging(0.5 + 0.5 * Math.sign(v) * Math.sqrt(Math.abs(v) / m))};
}
function seriesFor(result, variable, tick) {
  const row = variable === "cooperation" ? result.cooperation[tick]
    : variable === "pm25" ? result.relative_pm25[tick] : result.net_transfer[tick];
  return row;
}
function paint(mapObj, legendEl, result, variable, tick) {
  const values = seriesFor(result, variable, tick);
  const c = colourFor(variable, variable === "transfers" ? result.net_transfer.flat() : values);
  const colours = new Map();
  result.adcodes.forEach((code, i) => colours.set(code, c.f(values[i])));
  mapObj.setColours(colours);
  if (legendEl) CoopMap.legend(legendEl, c.scale, c.lo, c.hi, c.fmt, t("var." + variable));
}

/* ---------------------------------------------------------------- tooltip */
function showTip(ev, html) {
  const tip = $("tooltip");
  if (!html) { tip.classList.add("hidden"); return; }
  tip.innerHTML = html;
  tip.classList.remove("hidden");
  tip.style.left = Math.min(window.innerWidth - 290, ev.clientX + 14) + "px";
  tip.style.top = (ev.clientY + 14) + "px";
}
function esc(s) { return String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c])); }
function cityDetails(code, result, tick) {
  const c = S.cityByCode.get(code);
  if (!c) return "";
  const i = result ? result.adcodes.indexOf(code) : -1;
  const prov = S.lang === "zh" ? (PROVINCE_ZH[c.province] || c.province) : c.province;
  let rows = [[t("detail.city"), `${c.name_zh} ${c.name_en} (${code})`], [t("detail.province"), prov]];
  if (result && i >= 0) {
    rows = rows.concat([
      [t("detail.coop"), result.cooperation[tick][i].toFixed(3)],
      [t("detail.pm25"), result.relative_pm25[tick][i].toFixed(3)],
      [t("detail.transfer"), money(result.net_transfer[tick][i])],
    ]);
  }
  rows.push([t("detail.population"), (c.population / 1e6).toFixed(2) + (S.lang === "zh" ? " 百万" : " m")]);
  rows.push([t("detail.gdp"), money(c.gdp)]);
  return "<table>" + rows.map(([k, v]) => `<tr><td>${esc(k)}</td><td><b>${esc(v)}</b></td></tr>`).join("") + "</table>";
}

/* ---------------------------------------------------------------- scenario requests */
function builderBody() {
  const b = S.builder, levers = {};
  for (const [name, sched] of Object.entries(b.schedule)) {
    const keys = Object.keys(sched);
    if (!keys.length) continue;
    if (keys.length === 1 && Number(keys[0]) <= b.start) levers[name] = sched[keys[0]];
    else levers[name] = Object.fromEntries(keys.map((y) => [String(y), sched[y]]));
  }
  return {name: "dashboard", start_year: b.start, years: b.years, levers, parameters: b.parameters || {}};
}
function scenarioBody(sc) {
  return {name: sc.name, start_year: sc.start_year, years: sc.years, levers: sc.levers, parameters: sc.parameters};
}

/* ---------------------------------------------------------------- builder */
function buildLeverSliders() {
  const box = $("lever-sliders");
  box.replaceChildren();
  for (const lv of S.meta.levers) {
    const input = el("input", {type: "range", min: "0", max: "1", step: "0.05", value: "0", id: "lever-" + lv.name,
      "data-lever": lv.name, "aria-label": lv.label_en});
    const value = el("b", {id: "lever-value-" + lv.name}, "0.00");
    const cost = el("div", {class: "cost", id: "lever-cost-" + lv.name, title: lv.cost_source});
    const head = el("div", {class: "head"}, el("span", {"data-lever-label": lv.name, title: lv.cost_source},
      leverLabel(lv) + " §" + lv.study), value);
    box.append(el("div", {class: "lever"}, head, input, cost));
    input.addEventListener("input", () => onLeverInput(lv.name, Number(input.value)));
  }
}
function leverValueAt(name, year) {
  const sched = S.builder.schedule[name] || {};
  let v = 0;
  for (const y of Object.keys(sched).map(Number).sort((a, b) => a - b)) if (year >= y) v = sched[y];
  return v;
}
function updateLeverLabels() {
  const b = S.builder, year = b.start + Math.min(b.tick, b.years - 1);
  let total = 0;
  for (const lv of S.meta.levers) {
    const v = leverValueAt(lv.name, year);
    total += v * lv.yearly_cost;
    const input = $("lever-" + lv.name);
    if (document.activeElement !== input) input.value = String(v);
    $("lever-value-" + lv.name).textContent = v.toFixed(2);
    $("lever-cost-" + lv.name).textContent = money(v * lv.yearly_cost) + " / " + (S.lang === "zh" ? "年" : "yr")
      + "  (" + (S.lang === "zh" ? "满强度 " : "full: ") + money(lv.yearly_cost) + ")";
  }
  $("lever-total-cost").textContent = money(total) + (S.lang === "zh" ? " / 年" : " / yr");
}
function onLeverInput(name, value) {
  const b = S.builder;
  b.inputAt = performance.now();
  const year = b.start + Math.min(b.tick, b.years - 1);
  const sched = Object.assign({}, b.schedule[name] || {});
  if (b.tick === 0) { for (const y of Object.keys(sched)) delete sched[y]; sched[b.start] = value; }
  else {
    for (const y of Object.keys(sched)) if (Number(y) >= year) delete sched[y];
    sched[year] = value;
  }
  b.schedule[name] = sched;
  $("builder-base").value = "__custom__";
  updateLeverLabels();
  runBuilder();
}
async function runBuilder() {
  const b = S.builder;
  if (b.pending) b.pending.abort();
  const ctrl = new AbortController();
  b.pending = ctrl;
  const seq = ++b.seq;
  try {
    const result = await api("api/simulate", builderBody(), ctrl.signal);
    if (seq !== b.seq) return;
    b.result = result;
    b.tick = Math.min(b.tick, result.years.length - 1);
    renderMonitors();
    if (b.inputAt) { S.metrics.lastLatencyMs = performance.now() - b.inputAt; b.inputAt = null; }
    requestAnimationFrame(() => { renderBuilderPlots(); renderBuilderMap(); if (S.page === "builder") renderCompare(); });
    if (S.map.scenario === "__current__") { S.map.result = result; renderMapPage(); }
    status("");
  } catch (err) {
    if (err.name !== "AbortError") status(t("status.error") + ": " + err.message, true);
  } finally {
    if (b.pending === ctrl) b.pending = null;
  }
}
function renderMonitors() {
  const b = S.builder, r = b.result;
  if (!r) return;
  const k = b.tick;
  $("tick-label").textContent = String(r.years[k]);
  $("mon-coop").textContent = r.regional.cooperation_rate[k].toFixed(3);
  $("mon-pm25").textContent = signedPct(r.regional.pm25_change[k]);
  $("mon-cost").textContent = money(r.regional.lever_cost[Math.min(k, r.years.length - 2)]);
  $("mon-end").textContent = r.regional.cooperation_rate[r.years.length - 1].toFixed(3);
  updateLeverLabels();
}
function splitSeries(years, values, tick) {
  return [
    {x: years.slice(0, tick + 1), y: values.slice(0, tick + 1)},
    {x: years.slice(tick), y: values.slice(tick)},
  ];
}
function renderBuilderPlots() {
  const r = S.builder.result;
  if (!r || S.page !== "builder") return;
  const k = S.builder.tick;
  const [c0, c1] = splitSeries(r.years, r.regional.cooperation_rate, k);
  plot("plot-coop", [
    Object.assign(c0, {name: t("plot.run"), mode: "lines", line: {color: "#1b6ca8", width: 3}}),
    Object.assign(c1, {name: t("plot.projection"), mode: "lines", line: {color: "#1b6ca8", dash: "dot"}}),
  ], {title: {text: t("plot.coop")}, yaxis: {range: [0, 1]}});
  const [p0, p1] = splitSeries(r.years, r.regional.pm25_change.map((v) => 100 * v), k);
  plot("plot-pm25", [
    Object.assign(p0, {name: t("plot.run"), mode: "lines", line: {color: "#c0392b", width: 3}}),
    Object.assign(p1, {name: t("plot.projection"), mode: "lines", line: {color: "#c0392b", dash: "dot"}}),
  ], {title: {text: t("plot.pm25")}, yaxis: {ticksuffix: "%"}});
  plot("plot-cost", [
    {x: r.years, y: r.regional.lever_cost.map((v) => v / 1e8), type: "bar", name: t("plot.levercost"),
     marker: {color: r.years.map((_, i) => (i <= k ? "#7f8c8d" : "#d5dbdf"))}},
    {x: r.years, y: r.regional.abatement_cost.map((v) => v / 1e8), mode: "lines", name: t("plot.abatement"),
     line: {color: "#27ae60"}},
  ], {title: {text: t("plot.cost")}, yaxis: {title: {text: S.lang === "zh" ? "亿元/年" : "100 m yuan/yr"}}});
}
function renderBuilderMap() {
  const r = S.builder.result;
  if (r && S.maps.builder) paint(S.maps.builder, $("builder-legend"), r, "cooperation", S.builder.tick);
}
function setup() {
  const b = S.builder;
  stopGo();
  b.start = Number($("builder-start").value) || b.start;
  b.years = Math.max(1, Math.min(100, Number($("builder-years").value) || b.years));
  for (const lv of S.meta.levers) {
    const v = Number($("lever-" + lv.name).value);
    b.schedule[lv.name] = v > 0 ? {[b.start]: v} : {};
  }
  b.tick = 0;
  return runBuilder();
}
function goOnce() {
  const b = S.builder;
  if (!b.result) return false;
  if (b.tick >= b.result.years.length - 1) { stopGo(); return false; }
  b.tick += 1;
  renderMonitors();
  renderBuilderPlots();
  renderBuilderMap();
  return true;
}
function stopGo() {
  const b = S.builder;
  if (b.playing) { clearInterval(b.playing); b.playing = null; }
  $("btn-go").classList.remove("on");
  $("btn-go").textContent = t("builder.go");
}
function toggleGo() {
  const b = S.builder;
  if (b.playing) { stopGo(); return; }
  if (!b.result) return;
  if (b.tick >= b.result.years.length - 1) b.tick = 0;
  $("btn-go").classList.add("on");
  $("btn-go").textContent = t("builder.stop");
  b.playing = setInterval(() => { if (!goOnce()) stopGo(); }, 250);
}
function loadBase(name) {
  const sc = S.meta.scenarios.find((s) => s.name === name);
  if (!sc) return;
  stopGo();
  const b = S.builder;
  b.base = name; b.start = sc.start_year; b.years = sc.years; b.parameters = sc.parameters || {};
  $("builder-start").value = String(b.start);
  $("builder-years").value = String(b.years);
  b.schedule = {};
  for (const lv of S.meta.levers) {
    const s = sc.levers[lv.name];
    if (s === undefined) b.schedule[lv.name] = {};
    else if (typeof s === "number") b.schedule[lv.name] = {[b.start]: s};
    else b.schedule[lv.name] = Object.fromEntries(Object.entries(s).map(([y, v]) => [Number(y), v]));
  }
  b.tick = 0;
  runBuilder();
}

/* ---------------------------------------------------------------- comparison and download */
function summaryOf(entry) {
  const r = entry.result, n = r.years.length - 1;
  const cum = r.regional.lever_cost.slice(0, n).reduce((a, v) => a + v, 0);
  return {coop: r.regional.cooperation_rate[n], pm25: r.regional.pm25_change[n], cost: r.regional.lever_cost[n - 1], cum};
}
function renderCompare() {
  const entries = S.saved.slice();
  if (S.builder.result) entries.push({name: t("map.current"), result: S.builder.result, current: true});
  plot("plot-compare", entries.map((e) => ({x: e.result.years, y: e.result.regional.cooperation_rate,
    mode: "lines", name: e.name, line: {width: e.current ? 3 : 2, dash: e.current ? "solid" : undefined}})),
  {title: {text: t("plot.compare")}, yaxis: {range: [0, 1]}});
  const table = $("compare-table");
  table.replaceChildren(el("tr", {}, ...["col.scenario", "col.coop", "col.pm25", "col.cost", "col.cumcost", "col.remove"]
    .map((k) => el("th", {}, t(k)))));
  entries.forEach((e, i) => {
    const s = summaryOf(e);
    const btn = e.current ? "" : el("button", {type: "button", class: "remove", "data-index": String(i)}, "×");
    if (btn) btn.addEventListener("click", () => { S.saved.splice(i, 1); renderCompare(); });
    table.append(el("tr", {}, el("td", {}, e.name), el("td", {}, s.coop.toFixed(3)), el("td", {}, signedPct(s.pm25)),
      el("td", {}, money(s.cost)), el("td", {}, money(s.cum)), el("td", {}, btn)));
  });
}
function saveCurrent() {
  if (!S.builder.result) return;
  const name = $("save-name").value.trim() || `scenario ${S.saved.length + 1}`;
  S.saved.push({name, body: builderBody(), result: S.builder.result});
  $("save-name").value = "";
  renderCompare();
}
async function addBuiltin() {
  const sc = S.meta.scenarios.find((s) => s.name === $("compare-builtin").value);
  if (!sc) return;
  const result = await api("api/simulate", scenarioBody(sc));
  S.saved.push({name: sc.title, body: scenarioBody(sc), result});
  renderCompare();
}
function download(filename, text, type) {
  const blob = new Blob([text], {type});
  const a = el("a", {href: URL.createObjectURL(blob), download: filename});
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}
function entriesForDownload() {
  const out = S.saved.map((e) => ({name: e.name, scenario: e.body, result: e.result}));
  if (S.builder.result) out.unshift({name: "current", scenario: builderBody(), result: S.builder.result});
  return out;
}
function downloadCsv() {
  const lines = ["scenario,year,adcode,cooperation,relative_pm25,net_transfer_yuan,cooperation_rate,pm25_change,lever_cost_yuan"];
  for (const e of entriesForDownload()) {
    const r = e.result, name = '"' + e.name.replace(/"/g, '""') + '"';
    r.years.forEach((y, k) => r.adcodes.forEach((code, i) => lines.push([name, y, code, r.cooperation[k][i],
      r.relative_pm25[k][i], r.net_transfer[k][i], r.regional.cooperation_rate[k], r.regional.pm25_change[k],
      r.regional.lever_cost[k]].join(","))));
  }
  download("coopgov-scenarios.csv", lines.join("\n") + "\n", "text/csv");
}
function downloadJson() {
  download("coopgov-scenarios.json", JSON.stringify({region: S.meta.region, scenarios: entriesForDownload()}), "application/json");
}

/* ---------------------------------------------------------------- map page */
async function loadMapScenario() {
  const name = $("map-scenario").value;
  S.map.scenario = name;
  if (name === "__current__") {
    S.map.result = S.builder.result;
  } else {
    const sc = S.meta.scenarios.find((s) => s.name === name);
    S.map.result = await api("api/simulate", scenarioBody(sc));
  }
  const input = $("map-year");
  input.max = String(S.map.result.years.length - 1);
  if (Number(input.value) > Number(input.max)) input.value = input.max;
  renderMapPage();
}
function renderMapPage() {
  const r = S.map.result;
  if (!r || !S.maps.main) return;
  const input = $("map-year");
  input.max = String(r.years.length - 1);
  const k = Math.min(Number(input.value), r.years.length - 1);
  S.map.tick = k;
  $("map-year-label").textContent = String(r.years[k]);
  paint(S.maps.main, $("map-legend"), r, S.map.variable, k);
  $("map-regional").innerHTML = "<table>" + [
    [t("mon.coop"), r.regional.cooperation_rate[k].toFixed(3)],
    [t("mon.pm25"), signedPct(r.regional.pm25_change[k])],
    [t("mon.cost"), money(r.regional.lever_cost[Math.min(k, r.years.length - 2)])],
  ].map(([a, b]) => `<tr><td>${esc(a)}</td><td><b>${esc(b)}</b></td></tr>`).join("") + "</table>";
}
function toggleMapPlay() {
  const btn = $("map-play");
  if (S.map.playing) { clearInterval(S.map.playing); S.map.playing = null; btn.textContent = t("map.play"); btn.classList.remove("on"); return; }
  const input = $("map-year");
  if (Number(input.value) >= Number(input.max)) input.value = "0";
  btn.textContent = t("map.pause"); btn.classList.add("on");
  S.map.playing = setInterval(() => {
    if (Number(input.value) >= Number(input.max)) { toggleMapPlay(); return; }
    input.value = String(Number(input.value) + 1);
    renderMapPage();
  }, 300);
}

/* ---------------------------------------------------------------- force field */
async function renderForces() {
  const code = S.forces.adcode;
  if (S.maps.forces) {
    S.maps.forces.select(code);
    if (S.builder.result) paint(S.maps.forces, $("forces-legend"), S.builder.result, "cooperation", S.builder.result.years.length - 1);
  }
  const data = await api("api/forces?adcode=" + code, builderBody());
  $("forces-city").textContent = cityName(code) + " — " + t("nav.forces");
  const shades = {attraction: ["#1a9850", "#66bd63"], pressure: ["#2166ac", "#4393c3", "#92c5de"],
    thrust: ["#762a83", "#9970ab", "#c2a5cf"], resistance: ["#b2182b", "#d6604d", "#f4a582", "#fdae61", "#fee090", "#e08214", "#8c510a"]};
  const used = {};
  const traces = data.terms.map((term) => {
    const list = shades[term.family] || ["#999"];
    const i = used[term.family] = (used[term.family] ?? -1) + 1;
    return {x: data.years, y: term.values, type: "bar", name: `${forceLabel(term.name)} (${t("family." + term.family)})`,
      marker: {color: list[i % list.length]}, hovertemplate: "%{y:.3f}"};
  });
  traces.push({x: data.years, y: data.total, mode: "lines+markers", name: t("forces.total"), line: {color: "#000", width: 2}});
  traces.push({x: data.years, y: data.cooperation, mode: "lines", name: t("forces.coop"), yaxis: "y2",
    line: {color: "#f39c12", dash: "dot", width: 2}});
  plot("plot-forces", traces, {barmode: "relative", title: {text: t("forces.unit")},
    yaxis: {title: {text: "c0"}}, yaxis2: {overlaying: "y", side: "right", range: [0, 1], title: {text: t("forces.coop")}},
    legend: {orientation: "h", y: -0.25, font: {size: 10}}, margin: {l: 50, r: 45, t: 35, b: 40}});
  $("plot-forces").dataset.adcode = String(code);
}

/* ---------------------------------------------------------------- compensation */
function fileText(input) {
  const f = input.files && input.files[0];
  return f ? f.text() : Promise.resolve(null);
}
async function computeXinan() {
  const out = $("xinan-result");
  try {
    const year = $("xinan-year").value;
    const data = await api("api/compensation/xinan", {preset: $("xinan-preset").value, year: year || null,
      csv: await fileText($("xinan-file"))});
    const idx = el("table", {class: "table"});
    fillTable(idx, [t("comp.year"), t("comp.index"), "k0", t("comp.direction"), t("comp.transfer")],
      data.index.map((r) => [r.year, r.P.toFixed(4), r.k0, r.direction, money(r.transfer)]));
    const pay = el("table", {class: "table"});
    fillTable(pay, [t("comp.year"), t("comp.payer"), t("comp.payee"), t("comp.amount")],
      data.payments.map((r) => [r.year, r.payer, r.payee, money(r.amount)]));
    out.replaceChildren(el("p", {class: "hint"}, (data.example ? t("comp.example") + " " : "") + data.scheme.title), idx, pay);
    plot("plot-xinan", [
      {x: data.index.map((r) => String(r.year)), y: data.index.map((r) => r.P), type: "bar", name: "P",
       marker: {color: data.index.map((r) => (r.P <= data.scheme.threshold ? "#1a9850" : "#d73027"))}},
      {x: data.index.map((r) => String(r.year)), y: data.index.map(() => data.scheme.threshold), mode: "lines",
       name: "threshold", line: {color: "#000", dash: "dash"}},
    ], {title: {text: t("comp.index")}, xaxis: {type: "category"}});
  } catch (err) { out.replaceChildren(el("p", {class: "error"}, t("status.error") + ": " + err.message)); }
}
async function computePerTonne() {
  const out = $("pt-result");
  try {
    const data = await api("api/compensation/per-tonne", {preset: $("pt-preset").value, csv: await fileText($("pt-file"))});
    const tot = el("table", {class: "table"});
    fillTable(tot, [t("comp.payer"), t("comp.payee"), t("comp.amount")],
      data.totals.map((r) => [r.payer, r.payee, money(r.amount)]).concat([[t("comp.total"), "", money(data.total_amount)]]));
    out.replaceChildren(el("p", {class: "hint"}, (data.example ? t("comp.example") + " " : "") + data.scheme.title
      + " — " + data.n_records + " " + t("comp.records")), tot);
  } catch (err) { out.replaceChildren(el("p", {class: "error"}, t("status.error") + ": " + err.message)); }
}
async function computeAllocation() {
  const method = $("alloc-method").value;
  try {
    status(t("status.loading"));
    const data = await api(`api/allocation?method=${method}&pollutant=${$("alloc-pollutant").value}`);
    S.alloc = data;
    const c = colourFor("transfers", data.values);
    const colours = new Map();
    const seq = ["lrs", "ues", "des"].includes(method);
    const hi = Math.max(...data.values);
    data.adcodes.forEach((code, i) => colours.set(code, seq ? CoopMap.SCALES.pollution(data.values[i] / (hi || 1)) : c.f(data.values[i])));
    S.maps.alloc.setColours(colours);
    if (seq) CoopMap.legend($("alloc-legend"), CoopMap.SCALES.pollution, 0, hi, money, t("alloc." + method));
    else CoopMap.legend($("alloc-legend"), c.scale, c.lo, c.hi, money, t("alloc." + method));
    let note = t("alloc." + method);
    if (data.total_gain !== undefined) note += ` — ${t("alloc.totalgain")}: ${money(data.total_gain)}`;
    if (data.permutations) note += ` (${data.permutations} ${t("alloc.perms")})`;
    if (seq) note += ". " + t("alloc.rivernote");
    $("alloc-note").textContent = note;
    const order = data.adcodes.map((_, i) => i).sort((a, b) => data.values[b] - data.values[a]);
    fillTable($("alloc-table"), [t("alloc.city"), t("alloc.value")].concat(data.std_error ? [t("alloc.se")] : []),
      order.map((i) => [cityName(data.adcodes[i]), money(data.values[i])].concat(data.std_error ? [money(data.std_error[i])] : [])));
    status("");
  } catch (err) { status(t("status.error") + ": " + err.message, true); }
}

/* ---------------------------------------------------------------- monitoring */
async function loadMonitoring() {
  const day = $("monit-date").value;
  try {
    const data = await api("api/monitoring" + (day ? "?date=" + day : ""));
    S.monitoring = data;
    $("monit-unavailable").classList.toggle("hidden", data.available);
    $("monit-body").classList.toggle("hidden", !data.available);
    if (!data.available) { $("monit-info").textContent = data.reason || ""; return; }
    $("monit-date").value = data.date;
    $("monit-info").textContent = data.basis;
    const cats = S.meta.aqi_categories;
    const colours = new Map();
    for (const c of data.cities) colours.set(c.adcode, c.category ? cats[c.category - 1].colour : "#dddddd");
    S.maps.monit.setColours(colours);
    CoopMap.categoryLegend($("monit-legend"), cats.map((c) => [c.colour, `${c.lo}–${c.hi} ${S.lang === "zh" ? c.name_zh : c.name_en}`]));
    const rows = data.cities.slice().sort((a, b) => (b.aqi ?? -1) - (a.aqi ?? -1)).map((c) => {
      const cat = c.category ? cats[c.category - 1] : null;
      const badge = el("span", {class: "badge", style: `background:${cat ? cat.colour : "#ddd"};color:${c.category >= 4 ? "#fff" : "#000"}`},
        cat ? (S.lang === "zh" ? cat.name_zh : cat.name_en) : "NA");
      return [cityName(c.adcode), c.aqi ?? "NA", badge, t("warn." + c.warning)];
    });
    fillTable($("monit-table"), [t("alloc.city"), t("monit.aqi"), t("monit.category"), t("monit.warning")], rows);
    const box = $("monit-episodes");
    box.replaceChildren();
    if (!data.episodes.length) box.append(el("p", {class: "hint"}, t("monit.noepisodes")));
    const warnColour = {1: "#1f78b4", 2: "#e6c300", 3: "#ff7f00", 4: "#e31a1c"};
    for (const ep of data.episodes.slice().reverse()) {
      const members = ep.cities.map((c) => `${cityName(c.adcode)} (${t("warn." + c.level)})`).join(", ");
      const action = ep.linked_action.map((a) => `${cityName(a.adcode)} → ${t("warn." + a.recommended_level)} (${t("monit.share")} ${pct(a.share_of_imported)})`).join("; ");
      box.append(el("div", {class: "episode", style: `border-color:${warnColour[ep.max_level] || "#999"}`},
        el("b", {}, `${ep.date} — ${t("monit.level")} ${t("warn." + ep.max_level)}`), el("br"),
        `${t("monit.members")}: ${members}`, el("br"), `${t("monit.action")}: ${action || "–"}`));
    }
  } catch (err) { status(t("status.error") + ": " + err.message, true); }
}

/* ---------------------------------------------------------------- language and pages */
function applyLanguage() {
  document.documentElement.lang = S.lang === "zh" ? "zh-CN" : "en";
  document.body.classList.toggle("lang-zh", S.lang === "zh");
  document.body.classList.toggle("lang-en", S.lang !== "zh");
  $("lang-toggle").textContent = S.lang === "zh" ? "English" : "中文";
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  if (!S.meta) return;
  for (const lv of S.meta.levers) {
    const lab = document.querySelector(`[data-lever-label="${lv.name}"]`);
    if (lab) lab.textContent = leverLabel(lv) + " §" + lv.study;
  }
  fillSelects();
  $("btn-go").textContent = S.builder.playing ? t("builder.stop") : t("builder.go");
  $("map-play").textContent = S.map.playing ? t("map.pause") : t("map.play");
  renderMonitors();
  renderMapPage();
  renderPage();
}
function fillOptions(select, items, keep) {
  const value = select.value;
  select.replaceChildren(...items.map(([v, label]) => el("option", {value: v}, label)));
  if (keep && items.some(([v]) => v === value)) select.value = value;
}
function fillSelects() {
  const sc = S.meta.scenarios.map((s) => [s.name, s.title]);
  fillOptions($("map-scenario"), [["__current__", t("map.current")]].concat(sc), true);
  const base = $("builder-base").value || S.builder.base;
  fillOptions($("builder-base"), [["__custom__", t("builder.custom")]].concat(sc), false);
  $("builder-base").value = base;
  fillOptions($("compare-builtin"), sc, true);
  fillOptions($("xinan-preset"), S.meta.compensation_presets.bet.map((p) => [p.name, p.title]), true);
  fillOptions($("pt-preset"), S.meta.compensation_presets.per_tonne.map((p) => [p.name, p.title]), true);
  fillOptions($("alloc-method"), S.meta.allocation_methods.map((m) => [m, t("alloc." + m)]), true);
}
function renderPage() {
  const page = S.page;
  if (page === "builder") { renderBuilderPlots(); renderCompare(); }
  if (page === "forces" && S.builder.result) renderForces().catch((e) => status(e.message, true));
  if (page === "compensation" && !S.alloc) { computeXinan(); computePerTonne(); computeAllocation(); }
  if (page === "monitoring") loadMonitoring();
}
function showPage() {
  const page = (location.hash || "#map").slice(1);
  S.page = ["map", "builder", "forces", "compensation", "monitoring", "about"].includes(page) ? page : "map";
  for (const sec of document.querySelectorAll(".page")) sec.classList.toggle("active", sec.id === "page-" + S.page);
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.dataset.page === S.page);
  if (S.meta) renderPage();
  if (typeof Plotly !== "undefined") {
    for (const p of document.querySelectorAll(`#page-${S.page} .js-plotly-plot`)) Plotly.Plots.resize(p);
  }
}

/* ---------------------------------------------------------------- start */
async function start() {
  applyLanguage();
  showPage();
  status(t("status.loading"));
  const [meta, cities, provinces] = await Promise.all([
    api("api/meta"), api("api/geo/cities.geojson"), api("api/geo/provinces.geojson")]);
  S.meta = meta;
  S.geo = {cities, provinces};
  for (const c of meta.cities) S.cityByCode.set(Number(c.adcode), c);
  meta.levers.forEach((lv, i) => S.leverIndex.set(lv.name, i));
  buildLeverSliders();
  fillSelects();
  const hover = (resultFn, detailsEl) => (code, ev) => {
    if (code === null) { showTip(ev, null); return; }
    const r = resultFn();
    const html = cityDetails(code, r ? r.result : null, r ? r.tick : 0);
    showTip(ev, html);
    if (detailsEl) detailsEl.innerHTML = html;
  };
  S.maps.main = CoopMap.create($("map-main"), {cities, provinces,
    onHover: hover(() => (S.map.result ? {result: S.map.result, tick: S.map.tick} : null), $("map-details"))});
  S.maps.builder = CoopMap.create($("map-builder"), {cities, provinces,
    onHover: hover(() => (S.builder.result ? {result: S.builder.result, tick: S.builder.tick} : null))});
  S.maps.forces = CoopMap.create($("map-forces"), {cities, provinces,
    onHover: hover(() => (S.builder.result ? {result: S.builder.result, tick: S.builder.result.years.length - 1} : null)),
    onClick: (code) => { S.forces.adcode = code; renderForces().catch((e) => status(e.message, true)); }});
  S.maps.alloc = CoopMap.create($("map-alloc"), {cities, provinces, onHover: (code, ev) => {
    if (code === null || !S.alloc) { showTip(ev, code === null ? null : cityDetails(code)); return; }
    const i = S.alloc.adcodes.indexOf(code);
    showTip(ev, cityDetails(code) + `<div>${esc(t("alloc." + S.alloc.method))}: <b>${esc(money(S.alloc.values[i]))}</b></div>`);
  }});
  S.maps.monit = CoopMap.create($("map-monit"), {cities, provinces, onHover: (code, ev) => {
    if (code === null || !S.monitoring || !S.monitoring.available) { showTip(ev, code === null ? null : cityDetails(code)); return; }
    const c = S.monitoring.cities.find((x) => x.adcode === code);
    showTip(ev, cityDetails(code) + `<div>AQI <b>${c && c.aqi !== null ? c.aqi : "NA"}</b>, ${esc(t("monit.warning"))}: ${esc(t("warn." + (c ? c.warning : 0)))}</div>`);
  }});

  $("lang-toggle").addEventListener("click", () => {
    S.lang = S.lang === "zh" ? "en" : "zh";
    localStorage.setItem("coopgov.lang", S.lang);
    applyLanguage();
  });
  window.addEventListener("hashchange", showPage);
  $("map-scenario").addEventListener("change", () => loadMapScenario().catch((e) => status(e.message, true)));
  $("map-variable").addEventListener("change", () => { S.map.variable = $("map-variable").value; renderMapPage(); });
  $("map-year").addEventListener("input", renderMapPage);
  $("map-play").addEventListener("click", toggleMapPlay);
  $("builder-base").addEventListener("change", () => loadBase($("builder-base").value));
  $("btn-setup").addEventListener("click", setup);
  $("btn-go").addEventListener("click", toggleGo);
  $("btn-once").addEventListener("click", goOnce);
  $("btn-save").addEventListener("click", saveCurrent);
  $("btn-add-builtin").addEventListener("click", () => addBuiltin().catch((e) => status(e.message, true)));
  $("btn-csv").addEventListener("click", downloadCsv);
  $("btn-json").addEventListener("click", downloadJson);
  $("btn-xinan").addEventListener("click", computeXinan);
  $("btn-pt").addEventListener("click", computePerTonne);
  $("btn-alloc").addEventListener("click", computeAllocation);
  $("alloc-method").addEventListener("change", computeAllocation);
  $("btn-monit").addEventListener("click", loadMonitoring);
  $("monit-date").addEventListener("change", loadMonitoring);

  loadBase("baseline");
  await new Promise((resolve) => { const w = () => (S.builder.result ? resolve() : setTimeout(w, 20)); w(); });
  applyLanguage();
  document.body.dataset.ready = "1";
  status("");
}
document.addEventListener("DOMContentLoaded", () => start().catch((err) => status("Error: " + err.message, true)));
