// The presenter (templates/reviews/session_present.html): keys to move and decide, and present mode in the
// browser's full screen. The page's links and forms are htmx-boosted, so every step swaps the page in place and
// the full screen (which any page load would end) stays; this script is loaded once and listens on the document.
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  function presenter() { return document.querySelector("[data-present]"); }
  function inPresentMode() { var p = presenter(); return !!(p && p.hasAttribute("data-full")); }
  function canFullscreen() { return !!(document.fullscreenEnabled && document.documentElement.requestFullscreen); }
  function enterFullscreen() {
    if (canFullscreen() && !document.fullscreenElement) {
      document.documentElement.requestFullscreen().catch(function () { /* refused: the bare layout still shows */ });
    }
  }
  function leave() {
    var exit = document.querySelector("[data-exit]");
    if (exit) exit.click(); // boosted: swaps in the page with the sidebar
  }

  // Keep the "Full screen" button of present mode for when the browser can go full screen and is not yet.
  function syncButton() {
    document.querySelectorAll("button[data-fullscreen]").forEach(function (button) {
      button.hidden = !canFullscreen() || !!document.fullscreenElement;
    });
  }

  document.addEventListener("click", function (event) {
    // "Present full screen" (a link to present mode) and present mode's own button: the click is the user
    // gesture the Fullscreen API needs; htmx then swaps present mode in without leaving the document.
    if (event.target.closest("[data-fullscreen]")) enterFullscreen();
  });

  // What a key does; true when it did something (the browser's own use of the key is then prevented).
  function act(key) {
    if (key === "Escape" && inPresentMode()) {
      // In full screen the browser usually takes Esc itself; either way present mode ends (fullscreenchange).
      if (document.fullscreenElement) document.exitFullscreen(); else leave();
      return true;
    }
    if (key === "n" || key === "N") {
      var notes = document.querySelector("[data-notes]");
      if (notes) notes.focus();
      return !!notes;
    }
    var target = null;
    if (key === "ArrowRight") target = document.querySelector('[data-nav="next"]');
    else if (key === "ArrowLeft") target = document.querySelector('[data-nav="prev"]');
    else if (key.length === 1) target = document.querySelector('[data-decide="' + key.toLowerCase() + '"]');
    if (!target) return false;
    var reject = target.closest("[data-reject]");
    if (reject) { // Reject needs a reason and a second step: open it and put the cursor on the confirmation.
      reject.open = true;
      var confirm = reject.querySelector("button");
      if (confirm) confirm.focus();
      return true;
    }
    target.click();
    return true;
  }

  // From a step's request until htmx has settled the page it swapped in, the new links are not boosted yet (a
  // click on one would load a whole page and end the full screen): a key pressed then waits for the settle.
  var busy = false;
  var waiting = null;
  document.addEventListener("htmx:beforeRequest", function () { busy = true; });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) { busy = false; waiting = null; }
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target) || !presenter()) return;
    if (busy) {
      if (/^(Arrow(Left|Right)|Escape|[a-zA-Z])$/.test(event.key)) { waiting = event.key; event.preventDefault(); }
      return;
    }
    if (act(event.key)) event.preventDefault();
  });

  document.addEventListener("fullscreenchange", function () {
    syncButton();
    if (!document.fullscreenElement && inPresentMode()) leave();
  });

  // After each swap: a page that is not present mode (the summary after "Complete session", or the page with the
  // sidebar after Exit) leaves the full screen too.
  document.addEventListener("htmx:afterSettle", function () {
    busy = false;
    syncButton();
    if (document.fullscreenElement && !inPresentMode()) document.exitFullscreen();
    var key = waiting;
    waiting = null;
    if (key && presenter()) act(key);
  });

  syncButton();
})();
