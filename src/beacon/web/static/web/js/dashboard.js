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

  function drawMap(data) {
    if (!shapes || !window.Plotly) { return; }
    var m = metric();
    var index = featureIndex();
    var locations = [], values = [], names = [];
    rowsFor(data).forEach(function (r) {
      var id = index[r.jurisdiction_code] || index[r.jurisdiction];
      if (id) { locations.push(id); values.push(r[m] || 0); names.push(r.jurisdiction); }
    });
    var trace = {
      type: "choropleth", geojson: shapes, featureidkey: "id", locations: locations, z: values,
      text: names, hovertemplate: "%{text}: %{z}<extra></extra>", colorscale: [[0, "#dce6f5"], [1, "#0b3d91"]],
      marker: { line: { color: "#1b1f24", width: 0.5 } },
      colorbar: { title: { text: labels()[m] || m }, thickness: 12 }
    };
    var layout = layoutBase();
    layout.height = 380;
    layout.geo = {
      scope: "world", projection: { type: "mercator" }, fitbounds: "locations", visible: true,
      showcountries: true, countrycolor: "#8b96a1", showsubunits: true, subunitcolor: "#c9d1d9",
      showland: true, landcolor: "#f4f6f8", showcoastlines: false, showframe: false,
      showlakes: false, showrivers: false, showocean: false
    };
    Plotly.react("map", [trace], layout, config());
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
    document.body.addEventListener("htmx:afterSettle", function (event) {
      redraw();
    });
    fetch(root.getAttribute("data-shapes-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (body) { shapes = body; redraw(); });
    drawChart(figures());
  });
})();
