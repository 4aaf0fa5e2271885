// The taxi view keeps the phone's screen on while it is shown (Screen Wake Lock API), and asks
// again when the page comes back into view (the browser releases the lock when it is hidden).
// Where the browser has no wake lock, or refuses it, the page is the same without the promise.
(function () {
  var note = document.querySelector("[data-awake]");
  if (!("wakeLock" in navigator)) return;
  var ask = function () {
    navigator.wakeLock.request("screen").then(function () { note.hidden = false; }, function () { note.hidden = true; });
  };
  ask();
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") ask();
  });
})();
