// The map page (front/templates/front/map.html): draws the page's own GeoJSON (json_script "map-collection", the same
// document as GET /api/v1/map.geojson) with the vendored Leaflet: groups, needs and offers as circles, each with a
// link to its page. The list under the map is the page; without JavaScript the map stays hidden.
(function () {
  "use strict";
  var COLOURS = {group: "#1b4f8a", need: "#b3261e", offer: "#1d6b57"};

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span.innerHTML;
  }

  function popup(p) {
    var title = p.kind === "group" ? p.name : p.title;
    var lines = ['<a href="' + text(p.url) + '">' + text(title) + "</a>"];
    if (p.kind !== "group") lines.push(text(p.left + " " + p.unit) + " · " + text(p.group));
    if (p.area) lines.push(text(p.area));
    return lines.join("<br>");
  }

  function start(box) {
    var data = document.getElementById(box.dataset.collection);
    if (!data) return;
    var collection = JSON.parse(data.textContent);
    box.hidden = false;
    var map = L.map(box.querySelector("[data-place-canvas]"), {keyboard: true});
    if (box.dataset.tiles) {
      L.tileLayer(box.dataset.tiles, {maxZoom: 19, attribution: box.dataset.attribution || ""}).addTo(map);
    } else {
      box.classList.add("place-map--plain");
    }
    L.control.scale({imperial: false}).addTo(map);
    var layer = L.geoJSON(collection, {
      pointToLayer: function (feature, latlng) {
        var kind = feature.properties.kind;
        return L.circleMarker(latlng, {radius: kind === "group" ? 9 : 6, weight: 2, color: COLOURS[kind],
                                       fillColor: COLOURS[kind], fillOpacity: 0.4});
      },
      onEachFeature: function (feature, marker) { marker.bindPopup(popup(feature.properties)); }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, {padding: [30, 30], maxZoom: 15});
    else map.setView([20, 0], 2);
  }

  function init() {
    if (typeof L === "undefined") {
      var leaflet = document.querySelector("script[src*='leaflet']");
      if (leaflet && !leaflet.dataset.mapWaiting) {
        leaflet.dataset.mapWaiting = "1";
        leaflet.addEventListener("load", init);
      }
      return;
    }
    document.querySelectorAll("[data-network-map]:not([data-map-started])").forEach(function (box) {
      box.dataset.mapStarted = "1";
      start(box);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
