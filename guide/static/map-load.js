// Loads the map only when it is wanted: when it comes near the screen (once the page has
// loaded, so that map tiles which hang, as they do on slow or filtered networks, never keep
// the page loading), or at once when the visitor taps "Show the map". Until then the page
// carries no Leaflet at all. Loads Leaflet's stylesheet, then Leaflet and our map.js, which
// fetches what the map shows and draws it.
(function () {
  "use strict";
  var figure = document.querySelector("[data-map]");
  if (!figure) return;
  var button = figure.querySelector("[data-map-start]");
  var started = false;

  function start() {
    if (started) return;
    started = true;
    figure.dataset.mapLoading = "true";
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = figure.dataset.mapCss;
    css.onload = css.onerror = function () {
      figure.dataset.mapScripts.split(" ").forEach(function (src) {
        var script = document.createElement("script");
        script.src = src;
        script.async = false; // in order: Leaflet first
        script.onerror = function () {
          started = false; // a tap on "Show the map" tries again
        };
        document.head.appendChild(script);
      });
    };
    document.head.appendChild(css);
  }

  function watchForIt() {
    if (!("IntersectionObserver" in window)) return start();
    var seen = new IntersectionObserver(
      function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) {
          seen.disconnect();
          start();
        }
      },
      { rootMargin: "300px 0px" } // near: within about half a phone screen
    );
    seen.observe(figure);
  }

  if (button) {
    button.hidden = false;
    button.addEventListener("click", start);
  }
  if (document.readyState === "complete") watchForIt();
  else window.addEventListener("load", watchForIt);
})();
