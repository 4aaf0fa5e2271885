// The saved-pages page (templates/site/saved.html): lists what this phone's caches hold, the
// day-packs kept for offline (one line each: the page kept, and how many pages came with it) and
// the pages visited recently, each with when it was saved and a way to remove it. Offline, the
// worker answers with this page for a page it never saved: then the address is not this page's
// own, and the page says so.
(function () {
  "use strict";
  var box = document.querySelector("[data-saved]");
  if (!box || !("caches" in window)) return;
  document.querySelector("[data-no-keeping]").hidden = true;
  box.hidden = false;
  if (box.dataset.path !== location.pathname) {
    document.querySelector("[data-not-saved]").hidden = false;
  }
  var status = document.getElementById("saved-status");
  var site = " · " + box.dataset.site;

  function when(iso) {
    try {
      return new Intl.DateTimeFormat(box.dataset.lang, {
        dateStyle: "medium",
        timeStyle: "short",
        timeZone: "Asia/Shanghai",
      }).format(new Date(iso));
    } catch (e) {
      return iso;
    }
  }

  function titleOf(html, fallback) {
    var found = /<title>([^<]*)<\/title>/.exec(html);
    var text = document.createElement("textarea");
    text.innerHTML = found ? found[1] : fallback;
    var title = text.value.trim();
    if (title.slice(-site.length) === site) title = title.slice(0, -site.length);
    return title || fallback;
  }

  // Each saved copy: its request, its headers and, for pages, its title.
  function entries(cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(
        requests.map(function (request) {
          return cache.match(request).then(function (response) {
            var url = new URL(request.url);
            var entry = {
              request: request,
              path: url.pathname + url.search,
              at: (response && response.headers.get("X-Saved-At")) || "",
              heads: ((response && response.headers.get("X-Kept-With")) || url.pathname + url.search)
                .split(" ")
                .filter(Boolean),
              response: response,
              html: ((response && response.headers.get("Content-Type")) || "").indexOf("text/html") === 0,
            };
            if (!entry.html) return entry;
            return response.text().then(function (html) {
              entry.title = titleOf(html, entry.path);
              return entry;
            });
          });
        })
      );
    });
  }

  function line(cache, name, head, group, head0) {
    var li = document.createElement("li");
    li.className = "saved__item";
    var link = document.createElement("a");
    link.href = head.path;
    link.textContent = head.title;
    var saved = document.createElement("span");
    saved.className = "muted saved__when";
    var text = box.dataset.savedOn.replace("{when}", when(head.at));
    if (group.length > 1) text += " · " + box.dataset.withOthers.replace("{count}", group.length);
    saved.textContent = text;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button";
    remove.textContent = box.dataset.remove;
    remove.setAttribute("aria-label", box.dataset.remove + ": " + head.title);
    remove.addEventListener("click", function () {
      // A copy that belongs to another pack too stays, for that pack alone.
      Promise.all(
        group.map(function (entry) {
          var others = entry.heads.filter(function (head) { return head !== head0; });
          if (!others.length) return cache.delete(entry.request);
          var headers = new Headers(entry.response.headers);
          headers.set("X-Kept-With", others.join(" "));
          return cache.match(entry.request).then(function (copy) {
            return copy.blob().then(function (body) {
              return cache.put(entry.request, new Response(body, { status: copy.status, headers: headers }));
            });
          });
        })
      ).then(function () {
        status.textContent = box.dataset.removed;
        show(name);
      });
    });
    li.append(link, saved, remove);
    return li;
  }

  function show(name) {
    var list = box.querySelector('[data-list="' + name + '"]');
    var empty = box.querySelector('[data-empty="' + name + '"]');
    return caches.open(name).then(function (cache) {
      return entries(cache).then(function (all) {
        // One line per page kept (a day-pack's first page), with what came with it.
        var groups = {};
        all.forEach(function (entry) {
          entry.heads.forEach(function (head) {
            (groups[head] = groups[head] || []).push(entry);
          });
        });
        var lines = Object.keys(groups).map(function (head) {
          var group = groups[head];
          var first = group.filter(function (e) { return e.path === head && e.html; })[0] ||
            group.filter(function (e) { return e.html; })[0];
          return first ? { at: first.at, li: line(cache, name, first, group, head) } : null;
        }).filter(Boolean);
        lines.sort(function (a, b) { return a.at < b.at ? 1 : -1; });
        list.replaceChildren.apply(list, lines.map(function (l) { return l.li; }));
        empty.hidden = lines.length > 0;
      });
    });
  }

  show("bloom-kept");
  show("bloom-recent");
})();
