// The calendar's row of kinds scrolls sideways on a phone: bring the chosen one into view.
(function () {
  var chosen = document.querySelector(".kinds [aria-current]");
  if (chosen && chosen.scrollIntoView) chosen.scrollIntoView({ block: "nearest", inline: "center" });
})();
