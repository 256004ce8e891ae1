"""Geography from installed packages: outlines of countries, US states and counties
(GeoJSON for the dashboard map and the PDF report's map, TopoJSON for plotly.js's base
map). Used by the web pages and the reports alike; nothing is fetched from a network."""
