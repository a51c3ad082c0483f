/* coopgov dashboard: pages, NetLogo-style scenario builder, plots (plotly.js served locally). */
"use strict";

const S = {
  lang: localStorage.getItem("coopgov.lang") || "en",
  meta: null, geo: null, cityByCode: new Map(), leverIndex: new Map(),
  builder: {start: 2026, years: 30, schedule: {}, tick: 0, result: null, playing: null,
            base: "baseline", pending: null, seq: 0},
  saved: [], params: {}, bands: null, bandSeq: 0,
  map: {result: null, scenario: "__current__", tick: 0, variable: "cooperation", playing: null, year: null},
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
function tf(key, vars) { return t(key).replace(/\{(\w+)\}/g, (_, k) => (vars && k in vars ? vars[k] : "")); }
const LI = () => (S.lang === "zh" ? 1 : 0);
/* Unique city label from the server: "Suzhou (Jiangsu)" / "Suzhou (Anhui)"; 苏州 / 宿州. */
function cityName(code) {
  const c = S.cityByCode.get(Number(code));
  return c ? (S.lang === "zh" ? c.label_zh : c.label_en) : String(code);
}
function leverLabel(lv) { return S.lang === "zh" ? lv.label_zh : lv.label_en; }
function labelOf(table, name) { const l = S.meta && S.meta.labels[table][name]; return l ? l[LI()] : name; }
function forceLabel(name) { return labelOf("force_terms", name); }
function familyLabel(name) { return labelOf("families", name); }
function warnLabel(level) { return labelOf("warning_levels", String(level ?? 0)); }
function party(name) { const l = S.meta && S.meta.labels.parties[name]; return l ? l[LI()] : name; }
function provinceLabel(name) { return labelOf("provinces", name); }
function scenarioTitle(sc) { return (S.lang === "zh" && sc.title_zh) ? sc.title_zh : sc.title; }
function presetTitle(p) { return (S.lang === "zh" && p.title_zh) ? p.title_zh : p.title; }
/* One unit for a whole column, chosen from its largest value, so that a column never mixes units. */
function moneyUnit(values) {
  const m = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs));
  if (S.lang === "zh") return m >= 1e8 ? [1e8, " 亿元", 2] : m >= 1e4 ? [1e4, " 万元", 1] : [1, " 元", 0];
  return m >= 1e9 ? [1e9, " bn", 2] : m >= 1e6 ? [1e6, " m", 1] : [1, "", 0];
}
function moneyColumn(values) {
  const [div, suffix, digits] = moneyUnit(values);
  return (v) => {
    if (v === null || v === undefined || !Number.isFinite(v)) return "–";
    const x = (Math.abs(v) / div).toFixed(digits);
    return (v < 0 ? "−" : "") + (S.lang === "zh" ? x + suffix : "¥" + x + suffix);
  };
}
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
function plainError(err) {
  /* Server errors are located (file, row, field, value) but never carry a server path. */
  return err && err.message ? err.message : String(err);
}
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
    const e = new Error((data.error || res.statusText) + (where ? " (" + where + ")" : ""));
    e.data = data;
    throw e;
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
/* No "Share chart" / "Edit in Chart Studio" (they upload to Plotly's cloud), no link out. */
const PLOT_CONFIG = {displaylogo: false, responsive: true, showSendToCloud: false, showEditInChartStudio: false,
  showLink: false, modeBarButtonsToRemove: ["sendDataToCloud", "editInChartStudio"]};
/* Titles are HTML above the chart (they wrap on a phone instead of being cut off). */
function plotTitle(id, text) {
  const div = $(id);
  let cap = document.getElementById(id + "-title");
  if (!cap) {
    // title and chart share one wrapper, so that in a grid they stay one cell
    const wrap = el("div", {class: "plot-wrap"});
    div.parentNode.insertBefore(wrap, div);
    cap = el("div", {class: "plot-title", id: id + "-title"});
    wrap.append(cap, div);
  }
  cap.textContent = text || "";
}
let plotlyZh = false;
function plotConfig() {
  if (S.lang !== "zh") return PLOT_CONFIG;
  if (!plotlyZh) { Plotly.register({moduleType: "locale", name: "zh-CN", dictionary: PLOTLY_ZH, format: {}}); plotlyZh = true; }
  return Object.assign({locale: "zh-CN"}, PLOT_CONFIG);
}
function plot(id, traces, layout) {
  if (typeof Plotly === "undefined") return;
  const lay = Object.assign({}, layout);
  plotTitle(id, lay.title && lay.title.text);
  delete lay.title;
  Plotly.react($(id), traces, Object.assign({
    margin: {l: 55, r: 15, t: 12, b: 35}, font: {size: 11}, legend: {orientation: "h", y: -0.18},
    paper_bgcolor: "#fff", plot_bgcolor: "#fff",
  }, lay), plotConfig());
}
function clearPlot(id) {
  if (typeof Plotly !== "undefined" && $(id).data) Plotly.purge($(id));
  plotTitle(id, "");
}

/* ---------------------------------------------------------------- colours */
function colourFor(variable, values) {
  const sc = CoopMap.SCALES;
  const finite = values.filter(Number.isFinite);
  if (variable === "cooperation") return {scale: sc.sequential, lo: 0, hi: 1, f: (v) => sc.sequential(v), fmt: (v) => v.toFixed(1), note: t("legend.linear")};
  if (variable === "pm25") {
    // change vs no cooperation (never positive): cividis, the largest cut darkest
    const lo = Math.min(-0.01, ...finite), hi = 0;
    return {scale: sc.cividis, lo, hi, f: (v) => sc.cividis((v - lo) / (hi - lo || 1)),
            fmt: (v) => (100 * v).toFixed(1) + "%", note: t("legend.linear")};
  }
  const m = Math.max(1, ...finite.map(Math.abs));
  if (Math.min(0, ...finite) >= 0) {  // never negative: one-sided scale
    return {scale: sc.sequential, lo: 0, hi: m, fmt: moneyColumn([m]), note: t("legend.sqrt"),
            f: (v) => sc.sequential(Math.sqrt(Math.max(0, v) / m))};
  }
  // Signed square-root scale: a few large values (Shanghai) would otherwise wash out the rest.
  return {scale: sc.diverging, lo: -m, hi: m, fmt: moneyColumn([m]), note: t("legend.sqrt"),
          f: (v) => sc.diverging(0.5 + 0.5 * Math.sign(v) * Math.sqrt(Math.abs(v) / m))};
}
/* One PM2.5 quantity everywhere: the change against no cooperation (monitor: population-weighted). */
function seriesFor(result, variable, tick) {
  if (variable === "cooperation") return result.cooperation[tick];
  if (variable === "pm25") return result.relative_pm25[tick].map((v) => v - 1);
  return result.net_transfer[tick];
}
function paint(mapObj, legendEl, result, variable, tick) {
  const values = seriesFor(result, variable, tick);
  const c = colourFor(variable, variable === "transfers" ? result.net_transfer.flat() : values);
  const colours = new Map();
  result.adcodes.forEach((code, i) => colours.set(code, c.f(values[i])));
  mapObj.setColours(colours);
  if (legendEl) CoopMap.legend(legendEl, c.scale, c.lo, c.hi, c.fmt, t("var." + variable), c.note);
}
function cityLabels(map, sub) {
  if (!map || !S.meta) return;
  map.setLabels(S.meta.cities.map((c) => ({adcode: c.adcode, lon: c.lon, lat: c.lat,
    text: S.lang === "zh" ? c.label_zh : c.label_en.replace(/ \((\w+)\)$/, (_, p) => " (" + p.slice(0, 2) + ")"),
    sub: sub ? sub(c.adcode) : ""})));
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
  const prov = provinceLabel(c.province);
  let rows = [[t("detail.city"), `${c.label_zh} ${c.label_en} (${code})`], [t("detail.province"), prov]];
  if (result && i >= 0) {
    rows = rows.concat([
      [t("detail.coop"), result.cooperation[tick][i].toFixed(3)],
      [t("mon.pm25"), signedPct(result.relative_pm25[tick][i] - 1)],
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
  const body = {name: "dashboard", start_year: b.start, years: b.years, levers, parameters: Object.assign({}, b.parameters || {})};
  // a continuation of the history (current policy and the countermeasures) keeps its base
  if (b.startFrom && b.start === b.startFromYear) body.start_from = b.startFrom;
  return body;
}
/* Whole number within the server's limits, or an error message naming the field. */
function checkInt(id, labelKey, limits) {
  const raw = $(id).value.trim(), [lo, hi] = limits;
  const v = Number(raw);
  if (raw === "" || !Number.isInteger(v)) return [null, `${t(labelKey)} ${t("err.integer")} (${raw || "–"})`];
  if (v < lo || v > hi) return [null, `${t(labelKey)} ${tf("err.range", {lo, hi})} (${raw})`];
  return [v, null];
}
function builderError(msg) {
  $("builder-error").textContent = msg ? msg + " " + t("err.cleared") : "";
  $("builder-error").classList.toggle("hidden", !msg);
  if (!msg) return;
  stopGo();
  S.builder.result = null; S.bands = null;
  for (const id of ["mon-coop", "mon-pm25", "mon-cost", "mon-end", "tick-label"]) $(id).textContent = "–";
  for (const id of ["plot-coop", "plot-pm25", "plot-cost"]) clearPlot(id);
  if (S.maps.builder) { S.maps.builder.setColours(new Map()); $("builder-legend").replaceChildren(); }
}
function readHorizon() {
  const [start, e1] = checkInt("builder-start", "err.start", S.meta.limits.start_year);
  const [years, e2] = checkInt("builder-years", "err.years", S.meta.limits.years);
  const err = e1 || e2;
  builderError(err);
  if (err) return false;
  S.builder.start = start; S.builder.years = years;
  return true;
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
      "data-lever": lv.name, "aria-label": leverLabel(lv)});
    const value = el("b", {id: "lever-value-" + lv.name}, "0.00");
    const cost = el("div", {class: "cost", id: "lever-cost-" + lv.name, title: lv.cost_source});
    const head = el("div", {class: "head"}, el("span", {"data-lever-label": lv.name, title: lv.cost_source},
      leverLabel(lv) + " §" + lv.study), value);
    box.append(el("div", {class: "lever"}, head, input, cost));
    input.addEventListener("input", () => onLeverInput(lv.name, Number(input.value)));
  }
}
function paramLabel(p) { return S.lang === "zh" && p.label_zh ? p.label_zh : p.name.replace(/_/g, " "); }
function paramStep(p) { const span = p.bounds[1] - p.bounds[0]; return span > 0 ? span / 100 : 0.01; }
function fmtParam(v, p) {
  const a = Math.abs(v);
  return a >= 1e8 ? (v / 1e8).toFixed(1) + (S.lang === "zh" ? " 亿" : "e8") : a >= 1000 ? v.toFixed(0) : v.toFixed(3);
}
function buildParamSliders() {
  const box = $("param-sliders");
  box.replaceChildren();
  for (const p of S.meta.parameters) {
    const input = el("input", {type: "range", min: String(p.bounds[0]), max: String(p.bounds[1]), step: String(paramStep(p)),
      value: String(p.default), id: "param-" + p.name, "data-param": p.name, "aria-label": paramLabel(p)});
    const value = el("b", {id: "param-value-" + p.name}, fmtParam(p.default, p));
    const unit = el("span", {class: "unit", translate: "no"}, p.unit === "1" ? "" : p.unit);
    const head = el("div", {class: "head"}, el("span", {"data-param-label": p.name, title: p.description}, paramLabel(p)),
      el("span", {}, value, " ", unit));
    const range = el("div", {class: "cost"}, `${fmtParam(p.bounds[0], p)} – ${fmtParam(p.bounds[1], p)}`);
    box.append(el("div", {class: "lever param"}, head, input, range));
    input.addEventListener("input", () => {
      const v = Number(input.value);
      const b = S.builder;
      b.parameters = Object.assign({}, b.parameters || {});
      if (Math.abs(v - p.default) < paramStep(p) / 2) delete b.parameters[p.name]; else b.parameters[p.name] = v;
      b.inputAt = performance.now();
      $("param-value-" + p.name).textContent = fmtParam(v, p);
      $("builder-base").value = "__custom__";
      runBuilder();
    });
  }
}
function syncParamSliders() {
  for (const p of S.meta.parameters) {
    const v = (S.builder.parameters || {})[p.name] ?? p.default;
    const input = $("param-" + p.name);
    if (input && document.activeElement !== input) input.value = String(v);
    if ($("param-value-" + p.name)) $("param-value-" + p.name).textContent = fmtParam(v, p);
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
    const fmt = moneyColumn([lv.yearly_cost]);
    $("lever-cost-" + lv.name).textContent = fmt(v * lv.yearly_cost) + " / " + (S.lang === "zh" ? "年" : "yr")
      + "  (" + (S.lang === "zh" ? "满强度 " : "full: ") + fmt(lv.yearly_cost) + ")";
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
  if (!readHorizon()) return;
  if (b.pending) b.pending.abort();
  const ctrl = new AbortController();
  b.pending = ctrl;
  const seq = ++b.seq;
  try {
    const result = await api("api/simulate", builderBody(), ctrl.signal);
    if (seq !== b.seq) return;
    b.result = result;
    b.tick = Math.min(b.tick, result.years.length - 1);
    builderError(null);
    saveUrlState();
    loadBands();
    renderMonitors();
    if (b.inputAt) { S.metrics.lastLatencyMs = performance.now() - b.inputAt; b.inputAt = null; }
    requestAnimationFrame(() => { renderBuilderPlots(); renderBuilderMap(); if (S.page === "builder") renderCompare(); });
    if (S.map.scenario === "__current__") { S.map.result = result; renderMapPage(); }
    status("");
  } catch (err) {
    if (err.name !== "AbortError") builderError(t("status.error") + ": " + plainError(err));
  } finally {
    if (b.pending === ctrl) b.pending = null;
  }
}
/* ABM replication spread around the mean-field line, and the spread over posterior draws. */
async function loadBands() {
  const seq = ++S.bandSeq;
  if (!$("show-bands").checked) { S.bands = null; S.postBands = null; return; }
  try {
    const bands = await api("api/bands?replications=20", builderBody());
    if (seq !== S.bandSeq) return;
    S.bands = bands;
    if (S.page === "builder") renderBuilderPlots();
    const post = await api("api/bands?kind=posterior", builderBody());
    if (seq !== S.bandSeq) return;
    S.postBands = post;
    if (S.page === "builder") renderBuilderPlots();
  } catch (err) { if (seq === S.bandSeq) { if (!S.bands) S.bands = null; S.postBands = null; } }
}
function bandTraces(years) {
  const bd = S.bands;
  if (!bd || !$("show-bands").checked || bd.years.length !== years.length || bd.years[0] !== years[0]) return [];
  const q = bd.quantiles, v = bd.values, at = (p) => v[q.indexOf(p)];
  const band = (lo, hi, name, colour) => [
    {x: bd.years, y: at(lo), mode: "lines", line: {width: 0}, hoverinfo: "skip", showlegend: false},
    {x: bd.years, y: at(hi), mode: "lines", line: {width: 0}, fill: "tonexty", fillcolor: colour, name,
     hovertemplate: "%{y:.3f}"}];
  let out = band(0.05, 0.95, t("plot.band90"), "rgba(0,114,178,0.15)").concat(band(0.25, 0.75, t("plot.band50"), "rgba(0,114,178,0.30)"));
  const pb = S.postBands;
  if (pb && pb.years.length === years.length && pb.years[0] === years[0]) {
    const pq = pb.quantiles, pv = pb.values, pat = (p) => pv[pq.indexOf(p)];
    out = out.concat([
      {x: pb.years, y: pat(0.05), mode: "lines", line: {width: 1, color: "#E69F00", dash: "dot"}, hoverinfo: "skip", showlegend: false},
      {x: pb.years, y: pat(0.95), mode: "lines", line: {width: 1, color: "#E69F00", dash: "dot"}, fill: "tonexty",
       fillcolor: "rgba(230,159,0,0.12)", name: t("plot.bandpost"), hovertemplate: "%{y:.3f}"}]);
  }
  return out;
}
/* ---------------------------------------------------------------- saved work */
function b64(text) { return btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""); }
function unb64(text) {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
}
/* The builder's scenario lives in the URL (?s=...), so a reload or a shared link restores it. */
function saveUrlState() {
  const b = S.builder;
  const state = {base: $("builder-base").value || b.base, start: b.start, years: b.years, schedule: b.schedule,
                 parameters: b.parameters || {}, start_from: b.startFrom || null, start_from_year: b.startFromYear || null};
  const url = new URL(location.href);
  url.searchParams.set("s", b64(JSON.stringify(state)));
  history.replaceState(null, "", url);
}
function restoreUrlState() {
  const raw = new URL(location.href).searchParams.get("s");
  if (!raw) return false;
  try {
    const st = JSON.parse(unb64(raw));
    const b = S.builder;
    b.base = st.base || "__custom__"; b.start = Number(st.start); b.years = Number(st.years);
    b.parameters = st.parameters || {};
    b.startFrom = st.start_from || null; b.startFromYear = st.start_from_year || null;
    b.schedule = {};
    for (const lv of S.meta.levers) {
      const sch = (st.schedule || {})[lv.name] || {};
      b.schedule[lv.name] = Object.fromEntries(Object.entries(sch).map(([y, v]) => [Number(y), Number(v)]));
    }
    $("builder-start").value = String(b.start); $("builder-years").value = String(b.years);
    $("builder-base").value = b.base;
    b.tick = 0;
    syncParamSliders();
    return true;
  } catch (err) { return false; }
}
const SAVED_KEY = "coopgov.saved.v1";
function storeSaved() {
  localStorage.setItem(SAVED_KEY, JSON.stringify(S.saved.map((e) => ({name: e.name, body: e.body}))));
}
async function restoreSaved() {
  let list = [];
  try { list = JSON.parse(localStorage.getItem(SAVED_KEY) || "[]"); } catch (err) { list = []; }
  for (const e of list) {
    try { S.saved.push({name: e.name, body: e.body, result: await api("api/simulate", e.body)}); }
    catch (err) { /* a saved scenario the server no longer accepts is dropped */ }
  }
  if (list.length) $("compare-note").textContent = `${t("builder.restored")}: ${S.saved.length}`;
}
function slug(text) { return (text || "").normalize("NFKD").replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "dashboard"; }
async function exportToml() {
  const label = $("save-name").value.trim() || "dashboard";
  const body = Object.assign(builderBody(), {name: slug(label), title: label});
  try {
    const res = await fetch("api/scenario/toml", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    if (!res.ok) throw new Error((await res.json()).error);
    download(slug(label) + ".toml", await res.text(), "application/toml");
  } catch (err) { $("compare-note").textContent = t("status.error") + ": " + plainError(err); }
}
function applyScenarioToBuilder(sc) {
  const b = S.builder;
  stopGo();
  b.start = sc.start_year; b.years = sc.years; b.parameters = Object.assign({}, sc.parameters || {});
  b.startFrom = sc.start_from || null; b.startFromYear = sc.start_year;
  $("builder-start").value = String(b.start); $("builder-years").value = String(b.years);
  b.schedule = {};
  for (const lv of S.meta.levers) {
    const s = (sc.levers || {})[lv.name];
    if (s === undefined) b.schedule[lv.name] = {};
    else if (typeof s === "number") b.schedule[lv.name] = {[b.start]: s};
    else b.schedule[lv.name] = Object.fromEntries(Object.entries(s).map(([y, v]) => [Number(y), v]));
  }
  b.tick = 0;
  syncParamSliders();
}
async function importFile() {
  const input = $("import-file"), f = input.files && input.files[0];
  if (!f) return;
  const note = $("compare-note");
  try {
    const text = await f.text();
    let added = 0;
    if (/\.toml$/i.test(f.name)) {
      const sc = await api("api/scenario/parse", {toml: text, file: f.name});
      applyScenarioToBuilder(sc);
      $("builder-base").value = "__custom__";
      await runBuilder();
      added = 1;
    } else {
      let data;
      try { data = JSON.parse(text); } catch (err) { throw new Error(t("err.badjson")); }
      if (!data || !Array.isArray(data.scenarios)) throw new Error(t("err.badjson"));
      for (const e of data.scenarios) {
        if (!e || !e.scenario) continue;
        if (e.name === "current") {
          applyScenarioToBuilder(e.scenario);
          $("builder-base").value = "__custom__";
          await runBuilder();
        } else {
          S.saved.push({name: String(e.name), body: e.scenario, result: await api("api/simulate", e.scenario)});
        }
        added += 1;
      }
      storeSaved();
    }
    note.textContent = `${t("builder.imported")}: ${f.name} (${added})`;
    renderCompare();
  } catch (err) {
    note.textContent = `${t("err.file")} ${f.name}: ${plainError(err)}`;
  } finally { input.value = ""; }
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
  plot("plot-coop", bandTraces(r.years).concat([
    Object.assign(c0, {name: t("plot.run"), mode: "lines", line: {color: "#0072B2", width: 3}}),
    Object.assign(c1, {name: t("plot.projection"), mode: "lines", line: {color: "#0072B2", dash: "dot"}}),
  ]), {title: {text: t("plot.coop") + (S.bands && $("show-bands").checked ? " — " + t("plot.bandnote") : "")},
       yaxis: {range: [0, 1]}});
  const [p0, p1] = splitSeries(r.years, r.regional.pm25_change.map((v) => 100 * v), k);
  plot("plot-pm25", [
    Object.assign(p0, {name: t("plot.run"), mode: "lines", line: {color: "#D55E00", width: 3}}),
    Object.assign(p1, {name: t("plot.projection"), mode: "lines", line: {color: "#D55E00", dash: "dot"}}),
  ], {title: {text: t("plot.pm25")}, yaxis: {ticksuffix: "%"}});
  plot("plot-cost", [
    {x: r.years, y: r.regional.lever_cost.map((v) => v / 1e8), type: "bar", name: t("plot.levercost"),
     marker: {color: r.years.map((_, i) => (i <= k ? "#56B4E9" : "#cde8f7"))}},
    {x: r.years, y: r.regional.abatement_cost.map((v) => v / 1e8), mode: "lines", name: t("plot.abatement"),
     line: {color: "#E69F00", width: 2}},
  ], {title: {text: t("plot.cost")}, yaxis: {title: {text: S.lang === "zh" ? "亿元/年" : "100 m yuan/yr"}}});
}
function renderBuilderMap() {
  const r = S.builder.result;
  if (r && S.maps.builder) paint(S.maps.builder, $("builder-legend"), r, "cooperation", S.builder.tick);
}
function setup() {
  const b = S.builder;
  stopGo();
  if (!readHorizon()) return Promise.resolve();
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
  b.playing = setInterval(() => { if (!goOnce()) stopGo(); }, 1000 / Number($("go-speed").value));
}
function loadBase(name) {
  const sc = S.meta.scenarios.find((s) => s.name === name);
  if (!sc) return;
  stopGo();
  const b = S.builder;
  b.base = name;
  applyScenarioToBuilder(sc);
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
  const pal = S.meta.labels.palette, dashes = S.meta.labels.dashes;
  plot("plot-compare", entries.map((e, i) => ({x: e.result.years, y: e.result.regional.cooperation_rate,
    mode: "lines", name: e.name, line: {width: e.current ? 3.5 : 2, color: e.current ? "#000000" : pal[i % pal.length],
    dash: e.current ? "solid" : dashes[(1 + Math.floor(i / pal.length) + i) % dashes.length]}})),
  {title: {text: t("plot.compare")}, yaxis: {range: [0, 1]}});
  const sums = entries.map(summaryOf);
  const fCost = moneyColumn(sums.map((s) => s.cost)), fCum = moneyColumn(sums.map((s) => s.cum));
  const table = $("compare-table");
  table.replaceChildren(el("tr", {}, ...["col.scenario", "col.coop", "col.pm25", "col.cost", "col.cumcost", "col.remove"]
    .map((k) => el("th", {}, t(k)))));
  entries.forEach((e, i) => {
    const s = sums[i];
    const btn = e.current ? "" : el("button", {type: "button", class: "remove", "data-index": String(i), "aria-label": "×"}, "×");
    if (btn) btn.addEventListener("click", () => { S.saved.splice(i, 1); storeSaved(); renderCompare(); });
    table.append(el("tr", {}, el("td", {}, e.name), el("td", {}, s.coop.toFixed(3)), el("td", {}, signedPct(s.pm25)),
      el("td", {}, fCost(s.cost)), el("td", {}, fCum(s.cum)), el("td", {}, btn)));
  });
}
function saveCurrent() {
  if (!S.builder.result) return;
  const name = $("save-name").value.trim() || `scenario ${S.saved.length + 1}`;
  S.saved.push({name, body: Object.assign(builderBody(), {title: name}), result: S.builder.result});
  storeSaved();
  $("save-name").value = "";
  renderCompare();
}
async function addBuiltin() {
  const sc = S.meta.scenarios.find((s) => s.name === $("compare-builtin").value);
  if (!sc) return;
  const result = await api("api/simulate", scenarioBody(sc));
  S.saved.push({name: scenarioTitle(sc), body: scenarioBody(sc), result});
  storeSaved();
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
  let next;
  if (name === "__current__") next = S.builder.result;
  else next = await api("api/simulate", scenarioBody(S.meta.scenarios.find((s) => s.name === name)));
  // the year shown now (read after the request: the user may have moved the slider meanwhile)
  const prev = S.map.result;
  const keepYear = prev ? prev.years[Math.min(Number($("map-year").value), prev.years.length - 1)] : null;
  S.map.result = next;
  const input = $("map-year"), years = S.map.result.years;
  input.max = String(years.length - 1);
  // keep the calendar year shown when the new scenario covers it
  const k = keepYear === null ? -1 : years.indexOf(keepYear);
  input.value = String(k >= 0 ? k : Math.min(Number(input.value), years.length - 1));
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
  const vals = seriesFor(r, S.map.variable, k);
  const fmt = S.map.variable === "cooperation" ? (v) => v.toFixed(2) : S.map.variable === "pm25" ? (v) => (100 * v).toFixed(1) + "%"
    : moneyColumn(vals);
  cityLabels(S.maps.main, (code) => fmt(vals[r.adcodes.indexOf(code)]));
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
  $("forces-city").textContent = tf("forces.title", {city: cityName(code)});
  const colours = S.meta.labels.force_colours;
  // bars grouped by family (legend groups), in the family's hue
  const traces = data.terms.map((term) => ({x: data.years, y: term.values, type: "bar",
    name: forceLabel(term.name), legendgroup: term.family, legendgrouptitle: {text: familyLabel(term.family)},
    marker: {color: colours[term.name] || "#888", line: {width: 0},
             pattern: {shape: S.meta.labels.force_patterns[term.name] || ""}}, hovertemplate: "%{y:.3f} c0"}));
  traces.push({x: data.years, y: data.total, mode: "lines+markers", name: t("forces.total"), legendgroup: "total",
    line: {color: "#000", width: 2.5}, marker: {size: 4}});
  // cooperation in its own panel below: never hidden behind the bars, axis 0-1 in quarters
  traces.push({x: data.years, y: data.cooperation, mode: "lines", name: t("forces.coop"), xaxis: "x", yaxis: "y2",
    legendgroup: "total", line: {color: "#0072B2", width: 2.5}});
  const phone = window.innerWidth < 600;
  plot("plot-forces", traces, {barmode: "relative", title: {text: t("forces.unit")},
    grid: {rows: 2, columns: 1, pattern: "independent", roworder: "top to bottom"},
    yaxis: {title: {text: "c0"}, domain: [0.34, 1], zeroline: true, zerolinecolor: "#444"},
    yaxis2: {domain: [0, 0.24], range: [0, 1], tickvals: [0, 0.25, 0.5, 0.75, 1], title: {text: t("forces.coopaxis")}},
    xaxis: {anchor: "y2"}, height: phone ? 760 : 640,
    legend: phone ? {orientation: "h", y: -0.12, font: {size: 10}, groupclick: "toggleitem"}
                  : {orientation: "v", x: 1.02, y: 1, font: {size: 10}, groupclick: "toggleitem"},
    margin: {l: 50, r: phone ? 10 : 10, t: 10, b: 40}});
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
    const year = $("xinan-year").value.trim();
    const preset = S.meta.compensation_presets.bet.find((p) => p.name === $("xinan-preset").value);
    if (year !== "") {
      const y = Number(year);
      if (!Number.isInteger(y)) throw new Error(`${t("comp.year")} ${t("err.integer")} (${year})`);
      if (preset && preset.years && (y < preset.years[0] || y > preset.years[1])) {
        clearPlot("plot-xinan");
        throw new Error(tf("err.yearnodata", {year: y, lo: preset.years[0], hi: preset.years[1]}));
      }
    }
    const data = await api("api/compensation/xinan", {preset: $("xinan-preset").value, year: year || null,
      csv: await fileText($("xinan-file"))});
    const idx = el("table", {class: "table"});
    const fT = moneyColumn(data.index.map((r) => r.transfer)), fA = moneyColumn(data.payments.map((r) => r.amount));
    fillTable(idx, [t("comp.year"), t("comp.index"), t("comp.k0"), t("comp.direction"), t("comp.transfer")],
      data.index.map((r) => [r.year, r.P.toFixed(4), r.k0, party(r.direction), fT(r.transfer)]));
    const pay = el("table", {class: "table"});
    fillTable(pay, [t("comp.year"), t("comp.payer"), t("comp.payee"), t("comp.amount")],
      data.payments.map((r) => [r.year, party(r.payer), party(r.payee), fA(r.amount)]));
    const sch = data.scheme;
    const head = `${presetTitle(preset || sch)} — ${t("comp.payer")}/${t("comp.payee")}: ${party(sch.upstream)} ↔ ${party(sch.downstream)}; ${t("comp.threshold")} P = ${sch.threshold}`;
    out.replaceChildren(el("p", {class: "hint"}, (data.example ? t("comp.example") + " " : "") + head), idx, pay);
    plot("plot-xinan", [
      {x: data.index.map((r) => String(r.year)), y: data.index.map((r) => r.P), type: "bar", name: "P",
       text: data.index.map((r) => party(r.direction)), textposition: "inside",
       marker: {color: data.index.map((r) => (r.P <= data.scheme.threshold ? "#009E73" : "#E69F00"))}},
      {x: data.index.map((r) => String(r.year)), y: data.index.map(() => data.scheme.threshold), mode: "lines",
       name: t("comp.threshold"), line: {color: "#000", dash: "dash"}},
    ], {title: {text: t("comp.index")}, xaxis: {type: "category"}});
  } catch (err) {
    clearPlot("plot-xinan");
    out.replaceChildren(el("p", {class: "error"}, t("status.error") + ": " + plainError(err)));
  }
}
async function computePerTonne() {
  const out = $("pt-result");
  try {
    const data = await api("api/compensation/per-tonne", {preset: $("pt-preset").value, csv: await fileText($("pt-file"))});
    const tot = el("table", {class: "table"});
    const fA = moneyColumn(data.totals.map((r) => r.amount).concat([data.total_amount]));
    fillTable(tot, [t("comp.payer"), t("comp.payee"), t("comp.amount")],
      data.totals.map((r) => [party(r.payer), party(r.payee), fA(r.amount)]).concat([[t("comp.total"), "", fA(data.total_amount)]]));
    const preset = S.meta.compensation_presets.per_tonne.find((p) => p.name === $("pt-preset").value);
    out.replaceChildren(el("p", {class: "hint"}, (data.example ? t("comp.example") + " " : "") + presetTitle(preset || data.scheme)
      + " — " + data.n_records + " " + t("comp.records")), tot);
  } catch (err) { out.replaceChildren(el("p", {class: "error"}, t("status.error") + ": " + plainError(err))); }
}
async function computeAllocation() {
  const method = $("alloc-method").value;
  try {
    status(t("status.loading"));
    const data = await api(`api/allocation?method=${method}&pollutant=${$("alloc-pollutant").value}`);
    S.alloc = data;
    // never-negative values (river cost shares, most Shapley values) get a one-sided scale
    const c = colourFor("transfers", data.values);
    const colours = new Map();
    const seq = ["lrs", "ues", "des"].includes(method);
    data.adcodes.forEach((code, i) => colours.set(code, c.f(data.values[i])));
    S.maps.alloc.setColours(colours);
    CoopMap.legend($("alloc-legend"), c.scale, c.lo, c.hi, c.fmt, t("alloc." + method), c.note);
    const fmtV = moneyColumn(data.values);
    cityLabels(S.maps.alloc, (code) => fmtV(data.values[data.adcodes.indexOf(code)]));
    let note = t("alloc." + method);
    if (data.total_gain !== undefined) note += ` — ${t("alloc.totalgain")}: ${money(data.total_gain)}`;
    if (data.permutations) note += ` (${data.permutations} ${t("alloc.perms")})`;
    if (seq) note += ". " + t("alloc.rivernote");
    $("alloc-note").textContent = note;
    const order = data.adcodes.map((_, i) => i).sort((a, b) => data.values[b] - data.values[a]);
    const fSe = data.std_error ? moneyColumn(data.std_error) : null;
    fillTable($("alloc-table"), [t("alloc.city"), t("alloc.value")].concat(data.std_error ? [t("alloc.se")] : []),
      order.map((i) => [cityName(data.adcodes[i]), fmtV(data.values[i])].concat(data.std_error ? [fSe(data.std_error[i])] : [])));
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
    $("monit-nodata").classList.add("hidden");
    if (!data.available) { $("monit-info").textContent = ""; return; }
    $("monit-date").value = data.date;
    if (data.no_data) {
      // say so, with the range that has data, instead of a grey map
      const box = $("monit-nodata");
      box.textContent = data.data_range ? tf("monit.nodata", {day: data.date, first: data.data_range[0], last: data.data_range[1]})
        : tf("monit.nodataever", {day: data.date});
      box.classList.remove("hidden");
      $("monit-body").classList.add("hidden");
      $("monit-info").textContent = "";
      return;
    }
    $("monit-info").textContent = t(data.basis_key || "monit.basis");
    const cats = S.meta.aqi_categories;
    const catName = (c) => (S.lang === "zh" ? c.name_zh : c.name_en);
    const colours = new Map();
    for (const c of data.cities) colours.set(c.adcode, c.category ? cats[c.category - 1].colour : "#dddddd");
    S.maps.monit.setColours(colours);
    // the official colours stay; the category is written beside every coloured city
    const byCode = new Map(data.cities.map((c) => [c.adcode, c]));
    cityLabels(S.maps.monit, (code) => {
      const c = byCode.get(code);
      return c && c.aqi !== null ? `${c.aqi} ${catName(cats[c.category - 1])}` : "";
    });
    CoopMap.categoryLegend($("monit-legend"), cats.map((c) => [c.colour, `${c.lo}–${c.hi} ${catName(c)}`]));
    const rows = data.cities.slice().sort((a, b) => (b.aqi ?? -1) - (a.aqi ?? -1)).map((c) => {
      const cat = c.category ? cats[c.category - 1] : null;
      const badge = el("span", {class: "badge", style: `background:${cat ? cat.colour : "#ddd"};color:${c.category >= 4 ? "#fff" : "#000"}`},
        cat ? catName(cat) : "NA");
      return [cityName(c.adcode), c.aqi ?? "NA", badge, warnLabel(c.warning)];
    });
    fillTable($("monit-table"), [t("alloc.city"), t("monit.aqi"), t("monit.category"), t("monit.warning")], rows);
    const box = $("monit-episodes");
    box.replaceChildren();
    if (!data.episodes.length) box.append(el("p", {class: "hint"}, t("monit.noepisodes")));
    const warnColour = {1: "#1f78b4", 2: "#e6c300", 3: "#ff7f00", 4: "#e31a1c"};
    for (const ep of data.episodes.slice().reverse()) {
      const members = ep.cities.map((c) => `${cityName(c.adcode)} (${warnLabel(c.level)})`).join(", ");
      const action = ep.linked_action.map((a) => `${cityName(a.adcode)} → ${warnLabel(a.recommended_level)} (${t("monit.share")} ${pct(a.share_of_imported)})`).join("; ");
      box.append(el("div", {class: "episode", style: `border-color:${warnColour[ep.max_level] || "#999"}`},
        el("b", {}, `${ep.date} — ${t("monit.level")} ${warnLabel(ep.max_level)}`), el("br"),
        `${t("monit.members")}: ${members}`, el("br"), `${t("monit.action")}: ${action || "–"}`));
    }
  } catch (err) { status(t("status.error") + ": " + plainError(err), true); }
}

/* ---------------------------------------------------------------- experiments */
async function loadExperimentList() {
  const data = await api("api/experiments");
  S.experiments = data.experiments;
  $("exp-none").classList.toggle("hidden", data.experiments.length > 0);
  $("exp-body").classList.toggle("hidden", data.experiments.length === 0);
  fillOptions($("exp-select"), data.experiments.map((e) => [e.name, `${e.name} (${e.n_runs} ${t("exp.runs")})`]), true);
  if (data.experiments.length && !S.experiment) await openExperiment();
}
function paramName(name) {
  const p = S.meta.parameters.find((q) => q.name === name);
  return p ? paramLabel(p) : name;
}
function outcomeName(name) { return name.replace(/_/g, " "); }
async function openExperiment() {
  const name = $("exp-select").value;
  if (!name) return;
  $("exp-info").textContent = t("exp.loading");
  try {
    S.experiment = await api("api/experiments/" + encodeURIComponent(name));
    S.experiment.pick = S.experiment.prim ? S.experiment.prim.chosen : null;
    $("exp-info").textContent = "";
    renderExperiment();
  } catch (err) { $("exp-info").textContent = t("status.error") + ": " + plainError(err); }
}
function renderExperiment() {
  const ex = S.experiment;
  if (!ex) return;
  const outcome = outcomeName(ex.outcome), pal = S.meta.labels.palette;
  if (ex.lever_ranking) {
    const rows = ex.lever_ranking.slice().sort((a, b) => a.median - b.median);
    const lab = (lv) => { const l = S.meta.levers.find((x) => x.name === lv); return l ? leverLabel(l) : lv; };
    plot("plot-exp-ranking", [{type: "bar", orientation: "h", y: rows.map((r) => lab(r.lever)), x: rows.map((r) => r.median),
      marker: {color: "#0072B2"}, name: t("exp.effect"),
      error_x: {type: "data", symmetric: false, array: rows.map((r) => r.p95 - r.median), arrayminus: rows.map((r) => r.median - r.p05)}}],
      {title: {text: tf("exp.ranking", {outcome})}, yaxis: {automargin: true}, margin: {l: 10, r: 10, t: 10, b: 35}, showlegend: false});
  } else clearPlot("plot-exp-ranking");
  if (ex.sobol) {
    const rows = ex.sobol.slice().sort((a, b) => a.ST - b.ST);
    const y = rows.map((r) => paramName(r.factor));
    plot("plot-exp-sobol", [
      {type: "bar", orientation: "h", y, x: rows.map((r) => r.S1), name: t("exp.s1"), marker: {color: "#56B4E9"},
       error_x: {type: "data", array: rows.map((r) => r.S1_conf)}},
      {type: "bar", orientation: "h", y, x: rows.map((r) => r.ST), name: t("exp.st"), marker: {color: "#0072B2"},
       error_x: {type: "data", array: rows.map((r) => r.ST_conf)}}],
      {title: {text: tf("exp.sobol", {outcome})}, barmode: "group", yaxis: {automargin: true}, margin: {l: 10, r: 10, t: 10, b: 35}});
  } else clearPlot("plot-exp-sobol");
  if (ex.feature_scores) {
    const pols = Object.keys(ex.feature_scores[0]).filter((k) => k !== "factor");
    plot("plot-exp-features", pols.map((p, i) => ({type: "bar", orientation: "h", name: p === "baseline" ? scenarioTitle(S.meta.scenarios.find((s) => s.name === "baseline") || {title: p}) : (S.meta.levers.find((l) => l.name === p) ? leverLabel(S.meta.levers.find((l) => l.name === p)) : p),
      y: ex.feature_scores.map((r) => paramName(r.factor)), x: ex.feature_scores.map((r) => r[p]), marker: {color: pal[i % pal.length]}})),
      {title: {text: t("exp.features")}, barmode: "group", yaxis: {automargin: true}, margin: {l: 10, r: 10, t: 10, b: 35}});
  } else clearPlot("plot-exp-features");
  renderPrim();
}
function renderPrim() {
  const ex = S.experiment, pr = ex && ex.prim;
  if (!pr) { clearPlot("plot-exp-prim"); clearPlot("plot-exp-box"); fillTable($("exp-box-table"), [t("exp.noprim")], []); return; }
  const k = ex.pick;
  const steps = pr.coverage.map((_, i) => i);
  plot("plot-exp-prim", [
    {x: pr.coverage, y: pr.density, mode: "markers+lines", name: t("exp.prim"), customdata: steps,
     text: steps.map((i) => `#${i}: ${pr.n_restricted[i]} ${t("exp.restricted")}`), hovertemplate: "%{text}<br>%{x:.2f} / %{y:.2f}<extra></extra>",
     line: {color: "#bbbbbb", width: 1},
     marker: {size: 9, color: pr.n_restricted, colorscale: "Viridis", showscale: true,
              colorbar: {title: {text: t("exp.restricted")}, thickness: 10}, line: {width: 0}}},
    {x: [pr.coverage[k]], y: [pr.density[k]], mode: "markers", name: tf("exp.box", {step: k, cov: pr.coverage[k].toFixed(2), den: pr.density[k].toFixed(2)}),
     marker: {size: 18, symbol: "circle-open", color: "#D55E00", line: {width: 3}}, hoverinfo: "skip"},
  ], {title: {text: t("exp.prim") + " — " + pr.cases.replace(/_/g, " ")}, xaxis: {title: {text: t("exp.coverage")}, range: [0, 1.05]},
      yaxis: {title: {text: t("exp.density")}, range: [0, 1.05]}, showlegend: false});
  const div = $("plot-exp-prim");
  if (!div.dataset.bound) {
    div.dataset.bound = "1";
    div.on("plotly_click", (ev) => {
      const pt = ev.points && ev.points.find((p) => p.customdata !== undefined);
      if (!pt) return;
      S.experiment.pick = Number(pt.customdata);
      renderPrim();
    });
  }
  const box = pr.boxes[k];
  const names = Object.keys(pr.ranges);
  // each restricted parameter: its full range (grey) and the box's limits (orange), scaled to 0-1
  const shown = box.length ? box : [];
  const y = shown.map((b) => paramName(b.factor));
  const scale = (b, v) => (v - pr.ranges[b.factor][0]) / ((pr.ranges[b.factor][1] - pr.ranges[b.factor][0]) || 1);
  plot("plot-exp-box", [
    {type: "bar", orientation: "h", y, x: shown.map(() => 1), base: 0, marker: {color: "#e5e5e5"}, name: t("exp.fullrange"), hoverinfo: "skip"},
    {type: "bar", orientation: "h", y, x: shown.map((b) => scale(b, b.high) - scale(b, b.low)), base: shown.map((b) => scale(b, b.low)),
     marker: {color: "#D55E00"}, name: t("exp.inbox"), hovertemplate: "%{base:.2f} – %{x:.2f}<extra></extra>"},
  ], {title: {text: tf("exp.box", {step: k, cov: pr.coverage[k].toFixed(2), den: pr.density[k].toFixed(2)}) + (k === pr.chosen ? " (" + t("exp.chosen") + ")" : "")},
      barmode: "overlay", xaxis: {range: [-0.03, 1.03], tickvals: [0, 1], ticktext: [t("exp.low"), t("exp.high")]}, yaxis: {automargin: true}, margin: {l: 10, r: 10, t: 10, b: 35}});
  fillTable($("exp-box-table"), [t("exp.parameter"), t("exp.low"), t("exp.high"), t("exp.fullrange")],
    shown.map((b) => [paramName(b.factor), b.low.toPrecision(3), b.high.toPrecision(3),
      pr.ranges[b.factor].map((v) => v.toPrecision(3)).join(" – ")]));
  $("plot-exp-box").dataset.step = String(k);
  void names;
}

/* ---------------------------------------------------------------- language and pages */
function applyLanguage() {
  document.documentElement.lang = S.lang === "zh" ? "zh-CN" : "en";
  document.body.classList.toggle("lang-zh", S.lang === "zh");
  document.body.classList.toggle("lang-en", S.lang !== "zh");
  $("lang-toggle").textContent = S.lang === "zh" ? "English" : "中文";
  $("lang-toggle").setAttribute("lang", S.lang === "zh" ? "en" : "zh");
  if ($("go-speed-label")) $("go-speed-label").textContent = $("go-speed").value + " " + t("builder.speedunit");
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const e of document.querySelectorAll("[data-i18n-placeholder]")) e.placeholder = t(e.dataset.i18nPlaceholder);
  for (const e of document.querySelectorAll("[data-i18n-aria]")) e.setAttribute("aria-label", t(e.dataset.i18nAria));
  if (!S.meta) return;
  for (const lv of S.meta.levers) {
    const lab = document.querySelector(`[data-lever-label="${lv.name}"]`);
    if (lab) lab.textContent = leverLabel(lv) + " §" + lv.study;
    const input = $("lever-" + lv.name);
    if (input) input.setAttribute("aria-label", leverLabel(lv));
  }
  for (const p of S.meta.parameters) {
    const lab = document.querySelector(`[data-param-label="${p.name}"]`);
    if (lab) lab.textContent = paramLabel(p);
    const input = $("param-" + p.name);
    if (input) input.setAttribute("aria-label", paramLabel(p));
  }
  for (const [key, m] of Object.entries(S.maps)) m.element.setAttribute("aria-label", t("nav.map") + " — " + t("nav." + (key === "main" ? "map" : key === "builder" ? "builder" : key === "alloc" ? "compensation" : key === "monit" ? "monitoring" : "forces")));
  fillSelects();
  $("btn-go").textContent = S.builder.playing ? t("builder.stop") : t("builder.go");
  $("map-play").textContent = S.map.playing ? t("map.pause") : t("map.play");
  renderMonitors();
  renderMapPage();
  renderBuilderMap();
  if (S.monitoring && S.page !== "monitoring") S.monitoring = null;
  renderPage();
  if (S.alloc && S.page === "compensation") { computeXinan(); computePerTonne(); computeAllocation(); }
}
function fillOptions(select, items, keep) {
  const value = select.value;
  select.replaceChildren(...items.map(([v, label]) => el("option", {value: v}, label)));
  if (keep && items.some(([v]) => v === value)) select.value = value;
}
function fillSelects() {
  const sc = S.meta.scenarios.map((s) => [s.name, scenarioTitle(s)]);
  fillOptions($("map-scenario"), [["__current__", t("map.current")]].concat(sc), true);
  const base = $("builder-base").value || S.builder.base;
  fillOptions($("builder-base"), [["__custom__", t("builder.custom")]].concat(sc), false);
  $("builder-base").value = base;
  fillOptions($("compare-builtin"), sc, true);
  fillOptions($("xinan-preset"), S.meta.compensation_presets.bet.map((p) => [p.name, presetTitle(p)]), true);
  fillOptions($("pt-preset"), S.meta.compensation_presets.per_tonne.map((p) => [p.name, presetTitle(p)]), true);
  fillOptions($("alloc-method"), S.meta.allocation_methods.map((m) => [m, t("alloc." + m)]), true);
}
function renderPage() {
  const page = S.page;
  if (page === "builder") { renderBuilderPlots(); renderCompare(); }
  if (page === "forces" && S.builder.result) renderForces().catch((e) => status(e.message, true));
  if (page === "compensation" && !S.alloc) { computeXinan(); computePerTonne(); computeAllocation(); }
  if (page === "monitoring") loadMonitoring();
  if (page === "experiments") {
    if (!S.experiments) loadExperimentList().catch((e) => status(plainError(e), true));
    else renderExperiment();
  }
}
function showPage() {
  const page = (location.hash || "#map").slice(1);
  S.page = ["map", "builder", "forces", "compensation", "monitoring", "experiments", "about"].includes(page) ? page : "map";
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
  buildParamSliders();
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
  cityLabels(S.maps.main);
  S.maps.monit = CoopMap.create($("map-monit"), {cities, provinces, onHover: (code, ev) => {
    if (code === null || !S.monitoring || !S.monitoring.available) { showTip(ev, code === null ? null : cityDetails(code)); return; }
    const c = S.monitoring.cities.find((x) => x.adcode === code);
    showTip(ev, cityDetails(code) + `<div>AQI <b>${c && c.aqi !== null ? c.aqi : "NA"}</b>, ${esc(t("monit.warning"))}: ${esc(warnLabel(c ? c.warning : 0))}</div>`);
  }});

  // file inputs with translated text (the browser's own "Choose File" would stay English)
  for (const input of document.querySelectorAll("input[type=file]")) {
    input.classList.add("visually-hidden");
    const btn = el("span", {class: "file-button", "data-i18n": "file.choose"}, t("file.choose"));
    const name = el("span", {class: "file-name", "data-i18n": "file.none"}, t("file.none"));
    input.after(btn, name);
    input.addEventListener("change", () => {
      const f = input.files && input.files[0];
      if (f) { name.removeAttribute("data-i18n"); name.textContent = f.name; }
      else { name.setAttribute("data-i18n", "file.none"); name.textContent = t("file.none"); }
    });
  }
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
  $("btn-toml").addEventListener("click", exportToml);
  $("import-file").addEventListener("change", importFile);
  $("go-speed").addEventListener("input", () => {
    $("go-speed-label").textContent = $("go-speed").value + " " + t("builder.speedunit");
    if (S.builder.playing) { stopGo(); toggleGo(); }
  });
  $("go-speed-label").textContent = $("go-speed").value + " " + t("builder.speedunit");
  $("show-bands").addEventListener("change", () => { loadBands(); renderBuilderPlots(); });
  $("btn-params-reset").addEventListener("click", () => { S.builder.parameters = {}; syncParamSliders(); runBuilder(); });
  $("builder-start").addEventListener("change", () => runBuilder());
  $("builder-years").addEventListener("change", () => runBuilder());
  $("btn-exp").addEventListener("click", openExperiment);
  $("exp-select").addEventListener("change", openExperiment);
  $("btn-xinan").addEventListener("click", computeXinan);
  $("btn-pt").addEventListener("click", computePerTonne);
  $("btn-alloc").addEventListener("click", computeAllocation);
  $("alloc-method").addEventListener("change", computeAllocation);
  $("btn-monit").addEventListener("click", loadMonitoring);
  $("monit-date").addEventListener("change", loadMonitoring);

  const restored = restoreUrlState();
  await restoreSaved();
  if (restored) runBuilder(); else loadBase("baseline");
  await new Promise((resolve) => { const w = () => (S.builder.result || $("builder-error").textContent ? resolve() : setTimeout(w, 20)); w(); });
  applyLanguage();
  document.body.dataset.ready = "1";
  status("");
}
document.addEventListener("DOMContentLoaded", () => start().catch((err) => status("Error: " + err.message, true)));
