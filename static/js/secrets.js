// Settings pages that show a secret once (API keys, webhook endpoints): copy it to the clipboard, and confirm
// before a destructive form. A static file, not an inline <script>, so the Content-Security-Policy allows it.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-target]");
  if (!button) return;
  var input = document.getElementById(button.getAttribute("data-copy-target"));
  var done = function () { var note = button.parentElement.querySelector("[data-copied]"); if (note) note.hidden = false; };
  input.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
