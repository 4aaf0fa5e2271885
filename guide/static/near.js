// "Near me": only when the visitor asks (a button, never on load), read where the phone is and
// order the gardens by how far they are, saying how far each is. The position stays in this
// page: nothing about it is sent anywhere. Without geolocation (or outside HTTPS) the button
// goes, and the lists keep their usual order.
(function () {
  "use strict";
  var box = document.querySelector("[data-near]");
  if (!box) return;
  if (!navigator.geolocation || !window.isSecureContext) {
    box.hidden = true;
    return;
  }
  var button = box.querySelector("[data-near-button]");
  var status = box.querySelector("[data-near-status]");
  var lang = document.documentElement.lang;

  // Metres between two WGS-84 points (equirectangular: plenty for a district).
  function metres(a, b) {
    var rad = Math.PI / 180;
    var x = (b[1] - a[1]) * rad * Math.cos(((a[0] + b[0]) / 2) * rad);
    var y = (b[0] - a[0]) * rad;
    return 6371000 * Math.sqrt(x * x + y * y);
  }

  function howFar(m) {
    if (m < 1000) return button.dataset.m.replace("%(m)s", String(Math.max(100, Math.round(m / 100) * 100)));
    var km = new Intl.NumberFormat(lang, { maximumFractionDigits: m < 10000 ? 1 : 0 }).format(m / 1000);
    return button.dataset.km.replace("%(km)s", km);
  }

  function order(here) {
    document.querySelectorAll("[data-near-list]").forEach(function (list) {
      var items = Array.prototype.slice.call(list.querySelectorAll(":scope > [data-at]"));
      items.forEach(function (item) {
        item.distance = metres(here, item.dataset.at.split(",").map(Number));
        var shown = item.querySelector("[data-distance]");
        if (!shown) {
          shown = document.createElement("span");
          shown.className = "distance";
          shown.setAttribute("data-distance", "");
          item.appendChild(shown);
        }
        shown.textContent = howFar(item.distance);
      });
      items
        .sort(function (a, b) { return a.distance - b.distance; })
        .forEach(function (item) { list.appendChild(item); });
    });
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = button.dataset.finding;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        order([position.coords.latitude, position.coords.longitude]);
        status.textContent = button.dataset.sorted;
        button.disabled = false;
      },
      function (error) {
        status.textContent = error.code === error.PERMISSION_DENIED ? button.dataset.denied : button.dataset.failed;
        button.disabled = false;
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 }
    );
  });
})();
