// The place picker (templates/_place_picker.html): a Leaflet map (vendored) on which a click, or the button that
// marks the middle of the map (for keyboards: arrows pan, + and - zoom), sets the form's hidden lat and lon. The
// group's named areas are drawn and listed; marking a place picks the nearest area in the list, so members see its
// name and never the point. Without JavaScript the picker stays hidden and the list of areas is the way to choose.
(function () {
  "use strict";

  function number(value) {
    var n = parseFloat(value);
    return isNaN(n) ? null : n;
  }

  function distanceKm(a, b) {  // haversine, as the server measures
    var rad = Math.PI / 180, dLat = (b[0] - a[0]) * rad, dLon = (b[1] - a[1]) * rad;
    var h = Math.pow(Math.sin(dLat / 2), 2) +
      Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.pow(Math.sin(dLon / 2), 2);
    return 12742 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function start(box) {
    var form = box.closest("form") || document;
    var latInput = form.querySelector("[name=lat]"), lonInput = form.querySelector("[name=lon]");
    var select = form.querySelector("select[name=area]");
    var status = box.querySelector("[data-place-status]");
    var dataNode = document.getElementById(box.dataset.areas || "");
    var areas = (dataNode ? JSON.parse(dataNode.textContent) : []).filter(function (a) {
      return a.lat !== null && a.lon !== null;
    });
    var centre = [number(box.dataset.lat), number(box.dataset.lon)];
    var readOnly = !latInput;
    box.hidden = false;

    var map = L.map(box.querySelector("[data-place-canvas]"), {keyboard: true, attributionControl: true});
    if (box.dataset.tiles) {
      L.tileLayer(box.dataset.tiles, {maxZoom: 19, attribution: box.dataset.attribution || ""}).addTo(map);
    } else {
      box.classList.add("place-map--plain");
    }
    L.control.scale({imperial: false}).addTo(map);

    var points = [];
    areas.forEach(function (area) {
      var point = [area.lat, area.lon];
      points.push(point);
      var label = document.createElement("span");
      label.textContent = area.name;  // a text node: Leaflet would read a string as HTML
      L.circleMarker(point, {radius: 7, weight: 2, color: "#1d6b57", fillColor: "#1d6b57", fillOpacity: 0.35})
        .addTo(map)
        .bindTooltip(label, {permanent: true, direction: "auto", offset: [6, 0], className: "place-map__label"});
    });

    var picked = null;
    if (latInput && number(latInput.value) !== null && number(lonInput.value) !== null) {
      picked = [number(latInput.value), number(lonInput.value)];
    }
    if (picked) {
      // Not closer: with a tile server elsewhere, the tiles asked for tell it no more than the neighbourhood.
      map.setView(picked, 13);
    } else if (points.length > 1) {
      map.fitBounds(points, {padding: [40, 40], maxZoom: 16});
    } else if (points.length === 1) {
      map.setView(points[0], 15);
    } else if (centre[0] !== null && centre[1] !== null) {
      map.setView(centre, 14);
    } else {
      map.setView([20, 0], 2);
    }
    if (readOnly) return;

    // The marker's images by their static URLs (hashed in production: Leaflet's own guess of the path fails).
    var icon = L.icon({iconUrl: box.dataset.icon, iconRetinaUrl: box.dataset.iconRetina, shadowUrl: box.dataset.shadow,
                       iconSize: [25, 41], iconAnchor: [12, 41], tooltipAnchor: [16, -28], shadowSize: [41, 41]});
    var marker = null;
    var withinKm = number(box.dataset.nearestKm) || 5;  // the server's rule: networks.selectors.NEAREST_AREA_KM
    function nearest(point) {
      var best = null, bestKm = Infinity;
      areas.forEach(function (area) {
        var km = distanceKm(point, [area.lat, area.lon]);
        if (km < bestKm) { best = area; bestKm = km; }
      });
      return bestKm <= withinKm ? best : null;
    }
    function say(template, name) {
      if (status) status.textContent = (template || "").replace("__AREA__", name || "");
    }
    function draw(point) {
      if (marker) marker.setLatLng(point);
      else marker = L.marker(point, {icon: icon, keyboard: false, title: box.dataset.markerTitle || "",
                                     alt: box.dataset.markerTitle || ""}).addTo(map);
    }
    var choosing = false;  // the list changed by the map, not by the person
    function mark(point) {
      var lat = Math.round(point[0] * 1e5) / 1e5, lon = Math.round(point[1] * 1e5) / 1e5;
      latInput.value = lat;
      lonInput.value = lon;
      draw([lat, lon]);
      var area = nearest([lat, lon]);
      if (area && select) {
        choosing = true;
        select.value = area.id;
        select.dispatchEvent(new Event("change", {bubbles: true}));
        choosing = false;
      }
      say(area ? box.dataset.markedNear : box.dataset.marked, area ? area.name : "");
    }
    function clear() {
      latInput.value = "";
      lonInput.value = "";
      if (marker) { map.removeLayer(marker); marker = null; }
      say(box.dataset.cleared);
    }
    if (picked) draw(picked);  // as it is: the inputs keep the point they hold
    if (select) select.addEventListener("change", function () {
      // Another area chosen from the list: the place is that area now, not the point marked before.
      if (!choosing && marker) clear();
    });
    map.on("click", function (event) { mark([event.latlng.lat, event.latlng.lng]); });
    var middle = box.querySelector("[data-place-middle]");
    if (middle) middle.addEventListener("click", function () {
      var c = map.getCenter();
      mark([c.lat, c.lng]);
    });
    var clearButton = box.querySelector("[data-place-clear]");
    if (clearButton) clearButton.addEventListener("click", clear);
  }

  function init() {
    if (typeof L === "undefined") {
      // Swapped in by htmx, the scripts load in no set order: wait for Leaflet.
      var leaflet = document.querySelector("script[src*='leaflet']");
      if (leaflet && !leaflet.dataset.placesWaiting) {
        leaflet.dataset.placesWaiting = "1";
        leaflet.addEventListener("load", init);
      }
      return;
    }
    document.querySelectorAll("[data-place-map]:not([data-place-started])").forEach(function (box) {
      box.dataset.placeStarted = "1";
      start(box);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
