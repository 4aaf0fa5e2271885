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

// ---- The staff's offline queue ------------------------------------------------------------
// A staff form (a report, "still the same", a crowd level) sent with no signal is kept on the
// phone (IndexedDB "bloom-staff", store "queue") with everything in it, photos included, and the
// browser goes to the saved-pages page, which lists it as waiting. It is sent again, with the
// same submission key (so it is filed once however often it is sent), when a page asks (queue.js:
// on opening, on coming online, on "Send now") or on Background Sync where the browser has it.
// The server answers a queued form with a status (guide/staff/views.py, X-Queued): filed → gone
// from the queue; an expired form token → sent once more with a fresh one; logged out, a newer
// report (409) or refused → kept, marked, for the staff member to look at.
var QUEUE_LIMIT = 12 * 1024 * 1024; // a form with more photo bytes is not kept (the server takes 10 MB a photo)

function queueDb() {
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open("bloom-staff", 1);
    open.onupgradeneeded = function () {
      open.result.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
    };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });
}

function inQueue(mode, work) {
  return queueDb().then(function (db) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction("queue", mode);
      var request = work(tx.objectStore("queue"));
      tx.oncomplete = function () { resolve(request && request.result); };
      tx.onerror = function () { reject(tx.error); };
    });
  });
}

function tellPages() {
  return self.clients.matchAll({ type: "window" }).then(function (windows) {
    windows.forEach(function (client) { client.postMessage({ queue: "changed" }); });
  });
}

function formEntries(data) {
  var fields = [];
  var bytes = 0;
  data.forEach(function (value, name) {
    if (typeof value !== "string") {
      if (!value.size) return; // a file input left empty
      bytes += value.size;
    }
    fields.push([name, value]);
  });
  return { fields: fields, bytes: bytes };
}

function queueForm(request, url) {
  var page = request.referrer || url.href;
  return request.formData().then(function (data) {
    var form = formEntries(data);
    var lang = url.pathname.split("/")[1];
    var saved = GUIDE.words[GUIDE.languages[lang] || Object.keys(GUIDE.words)[0]].path;
    if (form.bytes > QUEUE_LIMIT) return Response.redirect(saved + "#too-large", 303);
    var item = { url: url.href, page: page, fields: form.fields, queuedAt: new Date().toISOString(), state: "waiting" };
    return inQueue("readwrite", function (store) { return store.add(item); }).then(function () {
      if (self.registration.sync) self.registration.sync.register("staff-queue").catch(function () {});
      tellPages();
      return Response.redirect(saved + "#waiting", 303);
    });
  });
}

// The forms a morning round sends; any other staff form (logging in …) is never kept.
var QUEUED_FORMS = /\/staff\/(places\/[^/]+\/(report|crowd)|plants\/\d+\/confirm)$/;

workbox.routing.registerRoute(
  function (options) {
    return options.url.origin === self.location.origin && options.request.mode === "navigate" && !isPublic(options.url);
  },
  function (options) {
    var copy = options.request.clone();
    return fetch(options.request).catch(function () {
      return QUEUED_FORMS.test(options.url.pathname) ? queueForm(copy, options.url) : savedPagesPage(options.url);
    });
  },
  "POST"
);

function freshToken(page) {
  return fetch(page, { credentials: "same-origin" }).then(function (response) {
    return response.text().then(function (html) {
      var found = /name="csrf_token"[^>]*value="([^"]+)"/.exec(html);
      return found ? found[1] : null;
    });
  });
}

function post(item) {
  var body = new FormData();
  item.fields.forEach(function (field) { body.append(field[0], field[1]); });
  return fetch(item.url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Queued": "1" } });
}

function sendOne(item, retried) {
  return post(item).then(function (response) {
    var outcome = response.headers.get("X-Outcome");
    if (response.status === 204) {
      return inQueue("readwrite", function (store) { return store.delete(item.id); });
    }
    if (outcome === "expired" && !retried) {
      return freshToken(item.page).then(function (token) {
        if (!token) return null;
        item.fields = item.fields.map(function (f) { return f[0] === "csrf_token" ? [f[0], token] : f; });
        return sendOne(item, true);
      });
    }
    item.state = outcome === "login" ? "login" : response.status === 409 ? "conflict" : "refused";
    item.status = response.status;
    return inQueue("readwrite", function (store) { return store.put(item); });
  });
}

var sending = null;
function sendQueue() {
  if (sending) return sending;
  sending = inQueue("readonly", function (store) { return store.getAll(); })
    .then(function (items) {
      return items.filter(function (item) { return item.state === "waiting"; }).reduce(function (done, item) {
        return done.then(function () { return sendOne(item, false); });
      }, Promise.resolve());
    })
    .catch(function () {}) // still no signal: they wait
    .then(function () {
      sending = null;
      return tellPages();
    });
  return sending;
}

self.addEventListener("sync", function (event) {
  if (event.tag === "staff-queue") event.waitUntil(sendQueue());
});

self.addEventListener("message", function (event) {
  var asked = event.data || {};
  if (asked.queue === "send") {
    event.waitUntil(sendQueue());
  } else if (asked.queue === "retry") {
    // The staff member looked and sends a marked form again (after logging in, or as it is).
    event.waitUntil(
      inQueue("readwrite", function (store) {
        return store.get(asked.id);
      }).then(function (item) {
        if (!item) return null;
        item.state = "waiting";
        return inQueue("readwrite", function (store) { return store.put(item); }).then(sendQueue);
      })
    );
  } else if (asked.queue === "remove") {
    event.waitUntil(inQueue("readwrite", function (store) { return store.delete(asked.id); }).then(tellPages));
  }
});
