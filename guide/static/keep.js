// "Keep for offline" (a place, a plan, a handout): saves the pages its button names (the page
// first, then its taxi views, cards and maps' data) in this phone's "bloom-kept" cache, which the
// service worker answers from when there is no signal, until the visitor removes them (saved.js
// lists and removes them together, by the first page: X-Kept-With, which names every pack a
// copy belongs to).
// Loaded after the page's load event by the worker's registration (guide/site/offline.py).
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-keep]");
  if (!buttons.length || !("caches" in window) || !("serviceWorker" in navigator)) return;

  // A copy as the worker keeps it, with when it was saved and the pages it was kept with (a
  // taxi view can belong to a place's pack and to a plan's: removing one keeps it for the other).
  function stamped(response, heads) {
    return response.blob().then(function (body) {
      var headers = new Headers(response.headers);
      headers.set("X-Saved-At", new Date().toISOString());
      headers.set("X-Kept-With", heads.join(" "));
      return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
    });
  }

  function keep(button) {
    var urls = JSON.parse(button.dataset.keep);
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    button.disabled = true;
    status.textContent = button.dataset.keeping;
    caches.open("bloom-kept").then(function (cache) {
      return Promise.all(
        urls.map(function (url) {
          return Promise.all([fetch(url, { credentials: "same-origin" }), cache.match(url)]).then(function (found) {
            var response = found[0];
            var before = found[1] ? (found[1].headers.get("X-Kept-With") || "").split(" ").filter(Boolean) : [];
            if (!response.ok) throw new Error(url + ": " + response.status);
            var heads = before.filter(function (head) { return head !== urls[0]; }).concat([urls[0]]);
            return stamped(response, heads).then(function (copy) {
              return cache.put(url, copy);
            });
          });
        })
      );
    }).then(
      function () {
        status.textContent = button.dataset.kept;
        button.disabled = false;
      },
      function () {
        status.textContent = button.dataset.failed;
        button.disabled = false;
      }
    );
  }

  buttons.forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      keep(button);
    });
  });
})();
