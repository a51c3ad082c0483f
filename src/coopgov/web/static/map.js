/* coopgov dashboard: an SVG choropleth of the region's cities drawn from the bundled
   GeoJSON (WGS84, features keyed by `adcode`), with province borders on top.
   Updating the colours only rewrites 41 `fill` attributes, so it is fast. */
"use strict";

const CoopMap = (() => {
  const SVG = "http://www.w3.org/2000/svg";

  function rings(geometry) {
    if (!geometry) return [];
    if (geometry.type === "Polygon") return geometry.coordinates;
    if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
    return [];
  }

  /* Equirectangular projection scaled by cos(mean latitude): fine at this extent. */
  function projection(features) {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const f of features) for (const ring of rings(f.geometry)) for (const [x, y] of ring) {
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
    const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
    const width = 1000, scale = width / ((x1 - x0) * k), height = (y1 - y0) * scale;
    return {width, height, point: ([x, y]) => [(x - x0) * k * scale, (y1 - y) * scale]};
  }

  function pathData(geometry, point) {
    const parts = [];
    for (const ring of rings(geometry)) {
      parts.push("M" + ring.map((c) => point(c).map((v) => v.toFixed(1)).join(",")).join("L") + "Z");
    }
    return parts.join("");
  }

  /* Colour helpers. */
  function lerp(a, b, t) { return a + (b - a) * t; }
  function hex(c) { return "#" + c.map((v) => Math.round(v).toString(16).padStart(2, "0")).join(""); }
  function parse(h) { return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)); }
  function ramp(stops) {
    const cs = stops.map(parse);
    const f = (t) => {
      if (!Number.isFinite(t)) return "#cccccc";
      t = Math.min(1, Math.max(0, t));
      const x = t * (cs.length - 1), i = Math.min(cs.length - 2, Math.floor(x)), u = x - i;
      return hex(cs[i].map((v, k) => lerp(v, cs[i + 1][k], u)));
    };
    f.css = "linear-gradient(to right," + stops.join(",") + ")";
    return f;
  }
  /* viridis and cividis (Nuñez et al. 2018) for values of one sign; purple-orange
     (ColorBrewer PuOr, colour-blind safe) only for signed values such as transfers. */
  const SCALES = {
    sequential: ramp(["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]),
    cividis: ramp(["#00204c", "#31446b", "#666970", "#958f78", "#cbba69", "#ffea46"]),
    diverging: ramp(["#b35806", "#f1a340", "#fee0b6", "#f7f7f7", "#d8daeb", "#998ec3", "#542788"]),
  };
  SCALES.pollution = SCALES.cividis;

  /**
   * Draw a map into `container`.
   * options: {cities: GeoJSON, provinces: GeoJSON, onHover(adcode|null, event), onClick(adcode)}
   */
  function create(container, options) {
    const features = options.cities.features;
    const proj = projection(features);
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `-10 -10 ${proj.width + 20} ${proj.height + 20}`);
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    svg.setAttribute("role", "img");
    const paths = new Map();
    const gCities = document.createElementNS(SVG, "g");
    for (const f of features) {
      const code = Number(f.properties.adcode);
      const p = document.createElementNS(SVG, "path");
      p.setAttribute("d", pathData(f.geometry, proj.point));
      p.setAttribute("class", "city");
      p.setAttribute("fill", "#dddddd");
      p.dataset.adcode = String(code);
      p.addEventListener("mousemove", (ev) => options.onHover && options.onHover(code, ev));
      p.addEventListener("mouseleave", (ev) => options.onHover && options.onHover(null, ev));
      p.addEventListener("click", () => options.onClick && options.onClick(code));
      gCities.appendChild(p);
      paths.set(code, p);
    }
    svg.appendChild(gCities);
    const gLabels = document.createElementNS(SVG, "g");
    gLabels.setAttribute("class", "labels");
    if (options.provinces) {
      const gProv = document.createElementNS(SVG, "g");
      for (const f of options.provinces.features) {
        const p = document.createElementNS(SVG, "path");
        p.setAttribute("d", pathData(f.geometry, proj.point));
        p.setAttribute("class", "province");
        gProv.appendChild(p);
      }
      svg.appendChild(gProv);
    }
    svg.appendChild(gLabels);
    container.replaceChildren(svg);
    let selected = null;
    return {
      /* colours: Map or object adcode -> css colour */
      setColours(colours) {
        for (const [code, p] of paths) {
          const c = colours.get ? colours.get(code) : colours[code];
          p.setAttribute("fill", c || "#dddddd");
        }
        svg.dataset.version = String((Number(svg.dataset.version) || 0) + 1);
      },
      select(code) {
        if (selected !== null && paths.has(selected)) paths.get(selected).classList.remove("selected");
        selected = code;
        if (code !== null && paths.has(code)) paths.get(code).classList.add("selected");
      },
      fill(code) { return paths.has(code) ? paths.get(code).getAttribute("fill") : null; },
      /* labels: array of {adcode, lon, lat, text, sub}; drawn at the city's centre */
      setLabels(labels) {
        gLabels.replaceChildren();
        for (const l of labels || []) {
          const [x, y] = proj.point([l.lon, l.lat]);
          const t = document.createElementNS(SVG, "text");
          t.setAttribute("x", x.toFixed(1));
          t.setAttribute("y", y.toFixed(1));
          t.setAttribute("class", "city-label");
          t.dataset.adcode = String(l.adcode);
          t.textContent = l.text;
          if (l.sub) {
            const s2 = document.createElementNS(SVG, "tspan");
            s2.setAttribute("x", x.toFixed(1));
            s2.setAttribute("dy", "1.1em");
            s2.textContent = l.sub;
            t.appendChild(s2);
          }
          gLabels.appendChild(t);
        }
      },
      element: svg,
    };
  }

  function legend(el, scale, lo, hi, format, title, note) {
    el.innerHTML = "";
    const t = document.createElement("span");
    t.textContent = title || "";
    const a = document.createElement("span");
    a.textContent = format(lo);
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.background = scale.css;
    const b = document.createElement("span");
    b.textContent = format(hi);
    el.append(t, a, bar, b);
    if (note) {
      const n = document.createElement("span");
      n.className = "scale-note";
      n.textContent = note;
      el.append(n);
    }
  }

  function categoryLegend(el, items) {
    el.innerHTML = "";
    for (const [colour, label] of items) {
      const s = document.createElement("span");
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = colour;
      s.append(sw, document.createTextNode(label));
      el.append(s);
    }
  }

  return {create, legend, categoryLegend, SCALES};
})();
