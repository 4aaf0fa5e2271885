// The staff's offline queue as a page shows it (the saved-pages page and a staff place page):
// what is waiting to send, or was not accepted and why, with "Send now", "Send again" and
// "Remove". The queue itself is the service worker's (guide/static/sw.js, IndexedDB
// "bloom-staff"); this page asks it to send on opening, on coming online and on a tap, and
// redraws when it says the queue changed. On a staff page it also notes what each form is
// about (place and plant), so that the list can say it.
(function () {
  "use strict";
  var box = document.querySelector("[data-queue]");
  if (!box || !("serviceWorker" in navigator) || !("indexedDB" in window)) return;
  var LABELS = "bloom-queue-labels";

  function labels() {
    try {
      return JSON.parse(localStorage.getItem(LABELS) || "{}");
    } catch (e) {
      return {};
    }
  }

  // On a staff page: remember, by its submission key, what each form sent is about.
  document.querySelectorAll("form[data-queue-label]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var key = form.querySelector('[name="submission"]');
      if (!key) return;
      var known = labels();
      known[key.value] = form.dataset.queueLabel;
      try {
        localStorage.setItem(LABELS, JSON.stringify(known));
      } catch (e) { /* full or private: the list says less */ }
    });
  });

  function items() {
    return new Promise(function (resolve) {
      var open = indexedDB.open("bloom-staff", 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
      };
      open.onerror = function () { resolve([]); };
      open.onsuccess = function () {
        var all = open.result.transaction("queue", "readonly").objectStore("queue").getAll();
        all.onsuccess = function () { resolve(all.result || []); };
        all.onerror = function () { resolve([]); };
      };
    });
  }

  function when(iso) {
    try {
      return new Intl.DateTimeFormat(box.dataset.lang, { timeStyle: "short", timeZone: "Asia/Shanghai" }).format(new Date(iso));
    } catch (e) {
      return iso;
    }
  }

  function field(item, name) {
    var found = item.fields.filter(function (f) { return f[0] === name; })[0];
    return found ? found[1] : "";
  }

  function ask(message) {
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }

  function line(item) {
    var li = document.createElement("li");
    li.className = "queue__item queue__item--" + item.state;
    var what = document.createElement("strong");
    var kind = /\/confirm$/.test(item.url) ? "confirm" : /\/crowd$/.test(item.url) ? "crowd" : "report";
    what.textContent = box.dataset["kind" + kind[0].toUpperCase() + kind.slice(1)] +
      (labels()[field(item, "submission")] ? " · " + labels()[field(item, "submission")] : "");
    var photos = item.fields.filter(function (f) { return typeof f[1] !== "string"; }).length;
    var detail = document.createElement("span");
    detail.className = "queue__state";
    detail.textContent = box.dataset.queuedAt.replace("{when}", when(item.queuedAt)) +
      (photos ? " · " + box.dataset.photos.replace("{count}", photos) : "") + " · " + box.dataset["state" + item.state[0].toUpperCase() + item.state.slice(1)];
    li.append(what, detail);
    var again = document.createElement("button");
    again.type = "button";
    again.className = "button";
    again.textContent = item.state === "waiting" ? box.dataset.sendNow : box.dataset.sendAgain;
    again.addEventListener("click", function () {
      ask(item.state === "waiting" ? { queue: "send" } : { queue: "retry", id: item.id });
    });
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button";
    remove.textContent = box.dataset.remove;
    remove.addEventListener("click", function () { ask({ queue: "remove", id: item.id }); });
    li.append(again, remove);
    if (item.state === "login" && box.dataset.login) {
      var login = document.createElement("a");
      login.href = box.dataset.login;
      login.textContent = box.dataset.logIn;
      li.append(login);
    } else if (item.state !== "waiting" && item.page) {
      var form = document.createElement("a"); // to check the newer report, or what was refused
      form.href = item.page;
      form.textContent = box.dataset.openForm;
      li.append(form);
    }
    return li;
  }

  var shown = 0;
  function draw() {
    return items().then(function (all) {
      var list = box.querySelector("[data-queue-list]");
      list.replaceChildren.apply(list, all.map(line));
      var status = box.querySelector("[data-queue-status]");
      if (all.length < shown && !all.some(function (i) { return i.state === "waiting"; })) {
        status.textContent = box.dataset.sent;
      }
      if (location.hash === "#too-large") status.textContent = box.dataset.tooLarge;
      shown = all.length;
      box.hidden = all.length === 0 && !status.textContent;
    });
  }

  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.queue === "changed") draw();
  });
  window.addEventListener("online", function () { ask({ queue: "send" }); });
  draw().then(function () {
    if (navigator.onLine) ask({ queue: "send" });
  });
})();
