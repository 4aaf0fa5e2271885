// Draws a page's map with Leaflet from what the server says it shows (…/map.json, made by
// guide/core/maps.py): our own outline of stations, lines, rivers and roads, which needs no
// tiles; the places' markers, laid out for each zoom by guide/core/markers.py; and every name
// as text wherever it fits. Text from our data is set as text; only popups arrive as HTML,
// escaped on the server.
(function () {
  "use strict";
  var TILE_PATIENCE_MS = 4000; // no tile by then: say so (docs/maps.md)
  var HALF = 22; // half a marker: markers are 44 px tap targets
  window.guideMaps = window.guideMaps || {};

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
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

  // A name on the map. Labels have a rank (lower is more important) and are shown only where
  // they fit (declutter). A point's name sits `gap` px right of it, else left of it, else below
  // (a moved marker shifts these by x, y); a way's name is centred on the first of its `spots`
  // where it fits.
  // A place's name may also have a shorter form, tried at each spot when the whole does not fit.
  var SIDES = ["", "map-label__text--left", "map-label__text--below", "map-label__text--above"];

  function addLabel(layer, spots, content, kind, rank, gap, x, y, shorter) {
    // `shorter`: shorter forms of a string `content`, tried in turn where the whole does not fit.
    var text = el("span", "map-label__text");
    if (typeof content === "string") text.textContent = content;
    else text.appendChild(content);
    text.style.setProperty("--gap", (gap || 0) + "px");
    text.style.setProperty("--x", (x || 0) + "px");
    text.style.setProperty("--y", (y || 0) + "px");
    var icon = L.divIcon({ className: "map-label map-label--" + kind, html: text, iconSize: null });
    var marker = L.marker(spots[0], { icon: icon, pane: "labels", interactive: false, keyboard: false });
    marker.rank = rank;
    marker.text = text;
    marker.forms = typeof content === "string" && shorter && shorter.length ? [content].concat(shorter) : null;
    marker.spots =
      spots.length > 1
        ? spots.map(function (at) { return [at, ""]; })
        : SIDES.map(function (side) { return [spots[0], side]; });
    marker.addTo(layer);
    return marker;
  }

  function drawOutline(map, spec, labels) {
    spec.ways.forEach(function (way) {
      var draw = way.closed ? L.polygon : L.polyline;
      draw(way.points, { pane: "outline", interactive: false, className: "way way--" + way.kind }).addTo(map);
      if (way.kind !== "metro") addLabel(labels, way.labelsAt, way.name, way.kind, 4);
    });
    spec.stations.forEach(function (station) {
      L.circleMarker(station.at, { pane: "outline", radius: 5, interactive: false, className: "station" }).addTo(map);
      var name = el("span", "", station.name);
      if (station.other) {
        var other = el("span", "map-label__other", station.other);
        other.lang = station.otherLang;
        name.appendChild(other);
      }
      addLabel(labels, [station.at], name, "station", 3, 8);
    });
  }

  // The markers for the current zoom: each place in flower alone; places out of flower that
  // would overlap share one; markers moved apart show a line to where their place is.
  function layoutAt(spec, zoom) {
    return (
      spec.layouts[String(zoom)] ||
      spec.pins.map(function (pin, i) {
        return [[i], 0, 0];
      })
    );
  }

  function pinIcon(pins, dx, dy) {
    var best = pins[0];
    var anchor = el("span");
    if (dx * dx + dy * dy > 64) {
      var length = Math.sqrt(dx * dx + dy * dy);
      var leader = el("span", "pin__leader");
      leader.style.width = length + "px";
      leader.style.transform = "rotate(" + Math.atan2(-dy, -dx) + "rad)";
      var spot = el("span", "pin__spot");
      spot.style.left = HALF - dx + "px";
      spot.style.top = HALF - dy + "px";
      anchor.appendChild(leader);
      anchor.appendChild(spot);
    }
    var pin = el("span", "pin pin--" + best.stage + (best.inFlower ? " pin--in-season" : ""), best.symbol);
    if (pins.length > 1) pin.appendChild(el("span", "pin__count", String(pins.length)));
    anchor.appendChild(pin);
    anchor.setAttribute("aria-hidden", "true");
    return L.divIcon({
      className: "pin-anchor",
      html: anchor,
      iconSize: [2 * HALF, 2 * HALF],
      iconAnchor: [HALF - dx, HALF - dy],
    });
  }

  var PAN_LEFT = 56; // clear of the zoom buttons, top left
  var PAN_RIGHT = 12;
  var POPUP_MARGINS = 44 + 4; // style.css: .leaflet-popup-content's left and right margins, and slack

  function popupOptions(map) {
    // Fit a phone's map, however large the text: the popup scrolls inside rather than overflow.
    var size = map.getSize();
    var width = Math.min(300, size.x - PAN_LEFT - PAN_RIGHT - POPUP_MARGINS);
    return {
      maxWidth: width,
      minWidth: Math.min(180, width),
      maxHeight: Math.max(100, size.y - 120),
      autoPanPaddingTopLeft: [PAN_LEFT, 12],
      autoPanPaddingBottomRight: [PAN_RIGHT, 28],
    };
  }

  function placeMarkers(map, spec, layer) {
    layer.clearLayers();
    layoutAt(spec, map.getZoom()).forEach(function (entry) {
      var pins = entry[0].map(function (i) {
        return spec.pins[i];
      });
      var dx = entry[1];
      var dy = entry[2];
      var at = [0, 1].map(function (axis) {
        return pins.reduce(function (sum, pin) { return sum + pin.at[axis]; }, 0) / pins.length;
      });
      var best = pins[0];
      var title = pins.map(function (pin) { return pin.title; }).join(" · ");
      var popup =
        pins.length === 1
          ? best.popup
          : '<ul class="popup-list">' + pins.map(function (pin) { return "<li>" + pin.popup + "</li>"; }).join("") + "</ul>";
      // The title gives the marker button its accessible name (Leaflet sets it as text).
      L.marker(at, {
        icon: pinIcon(pins, dx, dy),
        title: title,
        zIndexOffset: (best.inFlower ? 10000 : 0) + best.rank * 1000,
        riseOnHover: true,
      })
        .bindPopup(popup, popupOptions(map))
        .addTo(layer);
      var more = pins.length === 1 ? "" : " +" + (pins.length - 1);
      // In season first, then the ones that come soonest: they get the room.
      var rank = best.inFlower ? 0 : 1 + Math.min(pins.reduce(function (m, p) { return Math.min(m, p.soon); }, 400), 400) / 401;
      var shorter = best.shorter.map(function (form) { return form + more; });
      addLabel(layer, [at], best.name + more, best.inFlower ? "place-in-flower" : "place", rank, HALF + 4, dx, dy, shorter);
    });
  }

  // Show each label where it fits, most important first: never over a marker, another label
  // or the map's edge.
  function declutter(map, layers) {
    var box = map.getContainer().getBoundingClientRect();
    // What no label may cover: the controls and the pins in season; the pins out of season only
    // the labels of other pins out of season (a garden at its best may be named over them).
    var taken = [];
    var quiet = [];
    map.getContainer().querySelectorAll(".pin, .leaflet-control").forEach(function (pin) {
      var inSeason = !pin.classList.contains("pin") || pin.classList.contains("pin--in-season");
      (inSeason ? taken : quiet).push(pin.getBoundingClientRect());
    });
    var all = [];
    layers.forEach(function (layer) {
      layer.eachLayer(function (item) {
        if (item.text) all.push(item);
      });
    });
    all.sort(function (a, b) { return a.rank - b.rank; });
    all.forEach(function (label) {
      var forms = label.forms || [null];
      var fits = forms.some(function (form) {
        if (form !== null) label.text.textContent = form;
        return label.spots.some(function (spot) {
        if (!label.getLatLng().equals(spot[0])) label.setLatLng(spot[0]);
        SIDES.forEach(function (side) {
          if (side) label.text.classList.toggle(side, side === spot[1]);
        });
        var r = label.text.getBoundingClientRect();
        var inside = r.left >= box.left + 2 && r.right <= box.right - 2 && r.top >= box.top + 2 && r.bottom <= box.bottom - 2;
        var clear = function (t) {
          return r.right + 2 <= t.left || r.left - 2 >= t.right || r.bottom + 1 <= t.top || r.top - 1 >= t.bottom;
        };
        var free = taken.every(clear) && (label.rank === 0 || quiet.every(clear));
        if (inside && free) taken.push(r);
        return inside && free;
        });
      });
      if (!fits && label.forms) label.text.textContent = label.forms[0];
      label.text.classList.toggle("map-label__text--hidden", !fits);
    });
  }

  function draw(figure, spec) {
    var element = figure.querySelector(".map");
    element.textContent = ""; // the "Show the map" button
    var map = L.map(element, { minZoom: spec.tiles.minZoom, maxZoom: spec.tiles.maxZoom });
    map.createPane("outline").style.zIndex = 350; // above the tiles, below markers
    map.createPane("labels").style.zIndex = 550;
    L.control.scale({ imperial: false }).addTo(map);
    if (spec.view.bounds) map.fitBounds(spec.view.bounds, { padding: [36, 36], maxZoom: spec.view.maxZoom });
    else map.setView(spec.view.center, spec.view.zoom);
    var tiles = L.tileLayer(spec.tiles.url, {
      attribution: spec.tiles.attribution,
      subdomains: spec.tiles.subdomains,
      maxZoom: spec.tiles.maxZoom,
    }).addTo(map);
    watchTiles(tiles, figure.querySelector("[data-map-offline]"));
    var outlineLabels = L.layerGroup().addTo(map);
    var markers = L.layerGroup().addTo(map);
    drawOutline(map, spec, outlineLabels);
    // Labels are measured once Leaflet has put everything in place (after "viewreset", which
    // follows "moveend" on a long jump); then "labelsplaced" (the tests wait for it).
    var pending = 0;
    function placeLabels() {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(function () {
        declutter(map, [markers, outlineLabels]);
        map.fire("labelsplaced");
      });
    }
    placeMarkers(map, spec, markers);
    placeLabels();
    map.on("zoomend", function () {
      placeMarkers(map, spec, markers);
    });
    map.on("moveend viewreset resize", placeLabels);
    window.guideMaps[element.id] = map;
    map.once("labelsplaced", function () {
      figure.dataset.mapReady = "true";
    });
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
