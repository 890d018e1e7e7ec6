/* Venue maps: each element with data-map becomes a Leaflet map of the markers in its JSON block.
   Without JavaScript, or without tiles, the list next to the map carries the same venues. */
(function () {
  "use strict";

  function popupContent(marker, approximateLabel) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = marker.name;
    box.appendChild(link);
    var place = document.createElement("div");
    place.textContent = marker.commune + (marker.approximate ? " (" + approximateLabel + ")" : "");
    box.appendChild(place);
    return box;
  }

  function init(element) {
    if (typeof window.L === "undefined") {
      return;
    }
    var source = document.getElementById(element.getAttribute("data-markers"));
    var markers = source ? JSON.parse(source.textContent) : [];
    var fallback = element.querySelector(".map-fallback");
    if (fallback) {
      fallback.parentNode.removeChild(fallback);
    }
    var map = window.L.map(element, { scrollWheelZoom: false });
    window.L.tileLayer(element.getAttribute("data-tiles"), {
      maxZoom: 18,
      attribution: element.getAttribute("data-attribution"),
    }).addTo(map);
    var icon = window.L.icon({
      iconUrl: element.getAttribute("data-marker-icon"),
      iconRetinaUrl: element.getAttribute("data-marker-icon-2x"),
      shadowUrl: element.getAttribute("data-marker-shadow"),
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      popupAnchor: [1, -34],
      shadowSize: [41, 41],
    });
    var points = [];
    markers.forEach(function (marker) {
      var point = [marker.lat, marker.lon];
      window.L.marker(point, { icon: icon, title: marker.name, alt: marker.name, keyboard: true })
        .bindPopup(popupContent(marker, element.getAttribute("data-approximate-label")))
        .addTo(map);
      points.push(point);
    });
    if (points.length === 1) {
      map.setView(points[0], 14);
    } else if (points.length > 1) {
      map.fitBounds(points, { padding: [24, 24] });
    } else {
      map.setView([50.45, 2.7], 10);
    }
    element.setAttribute("data-map-ready", "true");
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
