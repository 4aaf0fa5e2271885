// The guide's service worker (docs/offline.md), on Workbox's runtime. guide/site/offline.py
// serves it at /sw.js with self.GUIDE written in front: the version, the shell to keep, each
// asset's current name, and the words of its notices in every language.
//
// - The shell (our CSS, scripts, icons and each language's saved-pages page) is precached under
//   the version: a deploy installs a new worker, which replaces it.
// - Public pages (and their maps' data) go to the network first; when it fails or takes longer
//   than GUIDE.networkWait seconds, the copy saved on the last visit answers, marked "saved on …,
//   may be out of date" in the page's language. A page never saved gets the saved-pages page.
// - Pages the visitor keeps ("Keep for offline", keep.js) are in their own cache, kept until
//   removed on the saved-pages page.
// - Never kept: staff pages (offline, they get the saved-pages page), the API, anything not HTML or JSON, anything the server marks
//   private or no-store (every page with a person's data or a form token is).
/* global GUIDE, workbox */
"use strict";

importScripts(GUIDE.workbox);

var RECENT = "bloom-recent"; // pages visited, the newest GUIDE.recentPages
var KEPT = "bloom-kept"; // pages kept by the visitor (keep.js writes it too)
var SAVED_AT = "X-Saved-At"; // when a copy was saved, on every copy we keep

workbox.core.setCacheNameDetails({ prefix: "bloom", suffix: "shell" });
workbox.precaching.precacheAndRoute(GUIDE.shell);
workbox.precaching.cleanupOutdatedCaches();

self.addEventListener("install", function () {
  self.skipWaiting();
});
// The page that installed the worker loaded before it: keep it too, as if visited now.
function keepOpenPages() {
  return self.clients.matchAll({ type: "window" }).then(function (windows) {
    return caches.open(RECENT).then(function (cache) {
      return Promise.all(
        windows.map(function (client) {
          var url = new URL(client.url);
          if (!isPublic(url)) return null;
          return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
            return keepable(response) ? stamped(response).then(function (copy) {
              return cache.put(url.href, copy);
            }) : null;
          }).catch(function () {});
        })
      );
    });
  });
}

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim().then(keepOpenPages));
});

function isPublic(url) {
  if (url.origin !== self.location.origin) return false;
  var parts = url.pathname.split("/");
  // /en/staff/…, /staff/…, /api/…, the worker itself
  return parts.indexOf("staff") === -1 && parts[1] !== "api" && url.pathname !== "/sw.js";
}

function keepable(response) {
  if (!response || response.status !== 200 || response.type !== "basic") return false;
  var control = response.headers.get("Cache-Control") || "";
  if (/no-store|private/.test(control)) return false;
  var type = response.headers.get("Content-Type") || "";
  return /^text\/html|^application\/json/.test(type);
}

// A copy as we keep it: the same body and headers, and when it was saved.
function stamped(response) {
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set(SAVED_AT, new Date().toISOString());
    return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
  });
}

var keepOnlyPublic = {
  cacheWillUpdate: function (params) {
    return keepable(params.response) ? stamped(params.response.clone()) : null;
  },
};

var recent = new workbox.strategies.NetworkFirst({
  cacheName: RECENT,
  networkTimeoutSeconds: GUIDE.networkWait,
  plugins: [
    keepOnlyPublic,
    new workbox.expiration.ExpirationPlugin({
      maxEntries: GUIDE.recentPages,
      maxAgeSeconds: GUIDE.recentSeconds,
    }),
  ],
});

function langOf(html) {
  var found = /<html[^>]*\blang="([^"]+)"/.exec(html);
  return found && GUIDE.words[found[1]] ? found[1] : Object.keys(GUIDE.words)[0];
}

function when(iso, lang) {
  try {
    return new Intl.DateTimeFormat(lang, {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: "Asia/Shanghai",
    }).format(new Date(iso));
  } catch (e) {
    return iso.slice(0, 16).replace("T", " ");
  }
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
  });
}

// A saved copy, as the visitor sees it: with a notice of when it was saved, and its asset links
// pointed at this version's names (a page kept before a deploy names the old ones).
function asSaved(response) {
  var savedAt = response.headers.get(SAVED_AT);
  if (!savedAt || !/^text\/html/.test(response.headers.get("Content-Type") || "")) return response;
  return response.text().then(function (html) {
    var lang = langOf(html);
    var words = GUIDE.words[lang];
    html = html.replace(/\/assets\/([A-Za-z0-9_-]+)\.[0-9a-f]{10}\.([a-z0-9]+)/g, function (link, stem, ext) {
      return GUIDE.assets[stem + "." + ext] || link;
    });
    var notice =
      '<p class="flash stale saved-copy" role="status" data-saved-at="' + escapeHtml(savedAt) + '">' +
      escapeHtml(words.saved.replace("{when}", when(savedAt, lang))) +
      ' <a href="' + words.path + '">' + escapeHtml(words.list) + "</a></p>";
    var opening = html.indexOf("<main");
    if (opening >= 0) {
      var at = html.indexOf(">", opening) + 1;
      html = html.slice(0, at) + notice + html.slice(at);
    }
    var headers = new Headers(response.headers);
    headers.set("Content-Type", "text/html; charset=utf-8");
    return new Response(html, { status: 200, headers: headers });
  });
}

function savedPagesPage(url) {
  var first = url.pathname.split("/")[1];
  var code = GUIDE.languages[first] ? first : Object.keys(GUIDE.languages)[0];
  return workbox.precaching.matchPrecache(GUIDE.words[GUIDE.languages[code]].path);
}

function page(options) {
  return recent
    .handle(options)
    .then(asSaved)
    .catch(function () {
      return caches.open(KEPT).then(function (cache) {
        return cache.match(options.request).then(function (kept) {
          if (kept) return asSaved(kept);
          // The map's data a page asked for: no copy is an error the map shows as such.
          return options.request.mode === "navigate" ? savedPagesPage(options.url) : Response.error();
        });
      });
    });
}

// Pages a visitor opens, and the map data and pages a page fetches (map.json).
workbox.routing.registerRoute(function (options) {
  return options.request.method === "GET" && isPublic(options.url) &&
    (options.request.mode === "navigate" || /\/map\.json$/.test(options.url.pathname));
}, page);

// Staff pages: never kept; with no signal, our page saying so instead of the browser's error.
workbox.routing.registerRoute(function (options) {
  return options.request.mode === "navigate" && options.url.origin === self.location.origin && !isPublic(options.url);
}, function (options) {
  return fetch(options.request).catch(function () {
    return savedPagesPage(options.url);
  });
});

// Assets not in this version's shell (an old page's, or print sheets): the network, then a copy.
workbox.routing.registerRoute(
  function (options) {
    return options.url.origin === self.location.origin && options.url.pathname.indexOf("/assets/") === 0;
  },
  new workbox.strategies.CacheFirst({
    cacheName: "bloom-assets",
    plugins: [new workbox.expiration.ExpirationPlugin({ maxEntries: 40 })],
  })
);
