// Draws a page's map with Leaflet from what the server says it shows (…/map.json, built by
// guide/core/maps.py). Text from our data is set as text; only popups arrive as HTML, escaped
// on the server.
(function () {
  "use strict";
  var TILE_PATIENCE_MS = 4000; // no tile by then: say so (docs/maps.md)
  window.guideMaps = window.guideMaps || {};

  function text(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    node.textContent = content;
    return node;
  }

  // The offline note shows while no tile has arrived: on the first failure, or when none has
  // come after a few seconds (a filtered network often never answers); it goes once one does.
  function watchTiles(layer, note) {
    if (!note) return;
    var arrived = false;
    function missing() {
      if (!arrived) note.hidden = false;
    }
    layer.on("tileload", function () {
      arrived = true;
      note.hidden = true;
    });
    layer.on("tileerror", missing);
    setTimeout(missing, TILE_PATIENCE_MS);
  }

  function pinIcon(marker) {
    var pin = text("span", "pin pin--" + marker.stage, marker.symbol);
    pin.setAttribute("aria-hidden", "true");
    if (marker.count > 1) pin.appendChild(text("span", "pin__count", String(marker.count)));
    return L.divIcon({ className: "pin-anchor", html: pin, iconSize: [44, 44], iconAnchor: [22, 22] });
  }

  function addMarker(map, marker) {
    // The title gives the marker button its accessible name (Leaflet sets it as text).
    L.marker(marker.at, {
      icon: pinIcon(marker),
      title: marker.title,
      zIndexOffset: marker.rank * 1000,
      riseOnHover: true,
    })
      .bindTooltip(text("span", "", marker.title))
      .bindPopup(marker.popup, { maxHeight: 190, autoPanPadding: [12, 12] })
      .addTo(map);
  }

  function draw(figure, spec) {
    var element = figure.querySelector(".map");
    element.textContent = ""; // the "Show the map" button
    var map = L.map(element);
    L.control.scale({ imperial: false }).addTo(map);
    if (spec.view.bounds) map.fitBounds(spec.view.bounds, { padding: [24, 24] });
    else map.setView(spec.view.center, spec.view.zoom);
    var tiles = L.tileLayer(spec.tiles.url, {
      attribution: spec.tiles.attribution,
      subdomains: spec.tiles.subdomains,
      maxZoom: spec.tiles.maxZoom,
    }).addTo(map);
    watchTiles(tiles, figure.querySelector("[data-map-offline]"));
    spec.markers.forEach(function (marker) {
      addMarker(map, marker);
    });
    window.guideMaps[element.id] = map;
    figure.dataset.mapReady = "true";
  }

  document.querySelectorAll("[data-map]").forEach(function (figure) {
    fetch(figure.dataset.map, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("map " + response.status);
        return response.json();
      })
      .then(function (spec) {
        draw(figure, spec);
      })
      .catch(function () {
        var note = figure.querySelector("[data-map-offline]");
        if (note) note.hidden = false;
      });
  });
})();
