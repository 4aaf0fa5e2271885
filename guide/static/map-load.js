// Starts the map only once the page has loaded, so that map tiles which hang (as they do on
// slow or filtered networks) never keep the page loading. Loads Leaflet's stylesheet, then
// Leaflet and our map.js, which fetches what the map shows and draws it.
(function () {
  "use strict";
  var figure = document.querySelector("[data-map]");
  if (!figure) return;

  function start() {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = figure.dataset.mapCss;
    css.onload = css.onerror = function () {
      figure.dataset.mapScripts.split(" ").forEach(function (src) {
        var script = document.createElement("script");
        script.src = src;
        script.async = false; // in order: Leaflet first
        document.head.appendChild(script);
      });
    };
    document.head.appendChild(css);
  }

  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
