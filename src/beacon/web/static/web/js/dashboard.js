// The operation dashboard: a map shaded by the chosen figure and a bar chart,
// redrawn whenever htmx swaps in new figures. Outlines come from our own server.
(function () {
  "use strict";
  var shapes = null;
  var root = null;

  function labels() { return JSON.parse(root.getAttribute("data-labels") || "{}"); }
  function figures() {
    var section = document.getElementById("figures");
    return section ? JSON.parse(section.getAttribute("data-figures") || "{}") : {};
  }
  function metric() { return document.getElementById("metric").value; }

  function featureIndex() {
    var index = {};
    shapes.features.forEach(function (f) {
      var p = f.properties;
      [p.ref, p.name_en, p.name_fr].forEach(function (key) { if (key) { index[key] = f.id; } });
    });
    return index;
  }

  function rowsFor(data) {
    var rows = data.by_jurisdiction || [];
    return rows.filter(function (r) { return r.jurisdiction; });
  }

  function config() {
    return {
      topojsonURL: root.getAttribute("data-topojson-url"),
      displayModeBar: false,
      responsive: false,
      showLink: false,
      showSendToCloud: false,
      showEditInChartStudio: false
    };
  }

  function layoutBase() {
    return {
      separators: root.getAttribute("data-separators") || ".,",
      margin: { l: 8, r: 8, t: 8, b: 8 },
      paper_bgcolor: "#ffffff",
      font: { family: "system-ui, sans-serif", size: 13, color: "#1b1f24" }
    };
  }

  var PALETTE = ["#dce6f5", "#a9c1e6", "#6f96d1", "#3a69b3", "#0b3d91"];
  var ZERO = "#f4f6f8";

  function language() { return root.getAttribute("data-language") || undefined; }
  function formatNumber(n) { return new Intl.NumberFormat(language()).format(n); }

  // Whole-number classes for counts: each value its own class when there are few
  // ("46", not "45.6…46.4"), else equal steps of a round size ("1–5", "6–10").
  function niceStep(raw) {
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      var step = steps[i] * power;
      if (step >= raw && Number.isInteger(step)) { return step; }
    }
    return 10 * power;
  }

  function classesFor(values) {
    var positive = values.filter(function (v) { return v > 0; }).map(Math.round);
    var distinct = positive.filter(function (v, i, all) { return all.indexOf(v) === i; })
      .sort(function (a, b) { return a - b; });
    var classes = [];
    if (values.some(function (v) { return !(v > 0); })) {
      classes.push({ lo: 0, hi: 0, label: formatNumber(0), color: ZERO });
    }
    if (distinct.length && distinct.length <= PALETTE.length) {
      distinct.forEach(function (v, i) {
        classes.push({ lo: v, hi: v, label: formatNumber(v), color: PALETTE[PALETTE.length - distinct.length + i] });
      });
      return classes;
    }
    if (!distinct.length) { return classes; }
    var max = distinct[distinct.length - 1];
    var step = niceStep(Math.ceil(max / PALETTE.length));
    var count = Math.ceil(max / step);
    for (var c = 0; c < count; c++) {
      var lo = c * step + 1, hi = (c + 1) * step;
      classes.push({
        lo: lo, hi: hi, color: PALETTE[PALETTE.length - count + c],
        label: lo === hi ? formatNumber(lo) : formatNumber(lo) + "\u2013" + formatNumber(hi)
      });
    }
    return classes;
  }

  function classOf(classes, value) {
    var v = value > 0 ? Math.round(value) : 0;
    for (var i = 0; i < classes.length; i++) {
      if (v >= classes[i].lo && v <= classes[i].hi) { return i; }
    }
    return classes.length - 1;
  }

  function centre(feature) {
    var xs = [], ys = [];
    (function walk(c) {
      if (typeof c[0] === "number") { xs.push(c[0]); ys.push(c[1]); return; }
      c.forEach(walk);
    })(feature.geometry.coordinates);
    return [(Math.min.apply(null, xs) + Math.max.apply(null, xs)) / 2,
            (Math.min.apply(null, ys) + Math.max.apply(null, ys)) / 2];
  }

  function drawLegend(classes, title) {
    var legend = document.getElementById("map-legend");
    if (!legend) { return; }
    legend.textContent = "";
    var caption = document.createElement("p");
    caption.className = "legend-title";
    caption.textContent = title;
    legend.appendChild(caption);
    var list = document.createElement("ul");
    classes.forEach(function (k) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.backgroundColor = k.color;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(k.label));
      list.appendChild(item);
    });
    legend.appendChild(list);
  }

  function drawMap(data) {
    if (!shapes || !window.Plotly) { return; }
    var m = metric();
    var index = featureIndex();
    var byId = {};
    shapes.features.forEach(function (f) { byId[f.id] = f; });
    var places = [];
    rowsFor(data).forEach(function (r) {
      var id = index[r.jurisdiction_code] || index[r.jurisdiction];
      if (id) { places.push({ id: id, value: r[m] || 0, name: r.jurisdiction }); }
    });
    var classes = classesFor(places.map(function (p) { return p.value; }));
    var title = labels()[m] || m;
    drawLegend(classes, title);
    var n = Math.max(classes.length, 1);
    var scale = [];
    classes.forEach(function (k, i) { scale.push([i / n, k.color], [(i + 1) / n, k.color]); });
    if (!scale.length) { scale = [[0, ZERO], [1, ZERO]]; }
    var trace = {
      type: "choropleth", geojson: shapes, featureidkey: "id",
      locations: places.map(function (p) { return p.id; }),
      z: places.map(function (p) { return classOf(classes, p.value); }), zmin: -0.5, zmax: n - 0.5,
      text: places.map(function (p) { return p.name + ": " + formatNumber(p.value); }),
      hovertemplate: "%{text}<extra></extra>", colorscale: scale, showscale: false,
      marker: { line: { color: "#1b1f24", width: 0.5 } }
    };
    var labelled = places.filter(function (p) { return byId[p.id] && byId[p.id].geometry; });
    var names = {
      type: "scattergeo", mode: "text", hoverinfo: "skip",
      lon: labelled.map(function (p) { return centre(byId[p.id])[0]; }),
      lat: labelled.map(function (p) { return centre(byId[p.id])[1]; }),
      text: labelled.map(function (p) { return formatNumber(p.value); }),
      textfont: { size: 12, color: "#1b1f24" }
    };
    var layout = layoutBase();
    layout.height = 380;
    layout.showlegend = false;
    layout.geo = {
      scope: "world", projection: { type: "mercator" }, fitbounds: "locations", visible: true,
      showcountries: true, countrycolor: "#8b96a1", showsubunits: true, subunitcolor: "#c9d1d9",
      showland: true, landcolor: "#f4f6f8", showcoastlines: false, showframe: false,
      showlakes: false, showrivers: false, showocean: false
    };
    Plotly.react("map", [trace, names], layout, config());
  }

  // Sortable tables (progressive: without this script they are plain tables). The totals
  // row stays in tfoot; the chosen order survives the live refresh.
  var sortState = {};

  function cellValue(row, column) {
    var cell = row.children[column];
    if (!cell) { return ""; }
    var raw = cell.getAttribute("data-value");
    return raw === null ? cell.textContent.trim().toLocaleLowerCase() : parseFloat(raw) || 0;
  }

  function sortTable(table, column, descending) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, column), y = cellValue(b, column);
      var order = typeof x === "number" ? x - y : String(x).localeCompare(String(y), language());
      return descending ? -order : order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      if (i === column) { th.setAttribute("aria-sort", descending ? "descending" : "ascending"); }
      else { th.removeAttribute("aria-sort"); }
    });
    sortState[table.id] = { column: column, descending: descending };
  }

  function makeSortable() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      if (!table.tHead || !table.tBodies.length) { return; }
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
        if (th.querySelector("button")) { return; }
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort";
        while (th.firstChild) { button.appendChild(th.firstChild); }
        th.appendChild(button);
        button.addEventListener("click", function () {
          var state = sortState[table.id];
          // Numbers sort largest first on the first click; names A to Z.
          var descending = state && state.column === column ? !state.descending : column > 0;
          sortTable(table, column, descending);
        });
      });
      var kept = sortState[table.id];
      if (kept) { sortTable(table, kept.column, kept.descending); }
    });
  }

  function drawChart(data) {
    if (!window.Plotly) { return; }
    var m = metric();
    var rows = rowsFor(data).slice().sort(function (a, b) { return (a[m] || 0) - (b[m] || 0); });
    var trace = {
      type: "bar", orientation: "h", x: rows.map(function (r) { return r[m] || 0; }),
      y: rows.map(function (r) { return r.jurisdiction; }), marker: { color: "#0b3d91" },
      hovertemplate: "%{y}: %{x}<extra></extra>"
    };
    var layout = layoutBase();
    layout.height = Math.max(260, 60 + 26 * rows.length);
    layout.margin = { l: 150, r: 16, t: 8, b: 40 };
    layout.xaxis = { title: { text: labels()[m] || m }, rangemode: "tozero" };
    Plotly.react("chart", [trace], layout, config());
  }

  function redraw() { var data = figures(); drawMap(data); drawChart(data); }

  // Start on the first figure the operation has (arrests for one, located for another).
  function pickMetric() {
    var select = document.getElementById("metric");
    var rows = rowsFor(figures());
    for (var i = 0; i < select.options.length; i++) {
      var m = select.options[i].value;
      if (rows.some(function (r) { return r[m]; })) { select.value = m; return; }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("dashboard");
    if (!root) { return; }
    pickMetric();
    document.getElementById("metric").addEventListener("change", redraw);
    makeSortable();
    // An unchanged poll is answered 304 (no body): keep what is shown.
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.xhr && event.detail.xhr.status === 304) { event.detail.shouldSwap = false; }
    });
    document.body.addEventListener("htmx:afterSettle", function () {
      makeSortable();
      redraw();
    });
    fetch(root.getAttribute("data-shapes-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (body) { shapes = body; redraw(); });
    drawChart(figures());
  });
})();
