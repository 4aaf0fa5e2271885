// Share buttons: the Web Share API where the browser has it, else copy the link and say so.
// Without JavaScript the link and its QR code are on the page already.
document.querySelectorAll("[data-share-url]").forEach(function (button) {
  var status = document.getElementById(button.getAttribute("aria-describedby"));
  button.hidden = false;
  button.addEventListener("click", function () {
    var url = button.dataset.shareUrl;
    if (navigator.share) {
      navigator.share({ title: button.dataset.shareTitle, url: url }).catch(function () {});
      return;
    }
    var done = function () { status.textContent = button.dataset.copied; };
    var fallback = function () {
      var field = document.getElementById(button.dataset.field);
      field.focus();
      field.select();
      status.textContent = document.execCommand && document.execCommand("copy")
        ? button.dataset.copied : button.dataset.selectHint;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, fallback);
    } else {
      fallback();
    }
  });
});

document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
