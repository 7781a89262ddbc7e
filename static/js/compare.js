// Compare rounds (templates/reviews/compare.html): the overlay's slider moves the divider; round A shows left of it.
(function () {
  "use strict";
  var slider = document.querySelector("[data-reveal]");
  var frame = document.querySelector("[data-compare-frame]");
  if (!slider || !frame) return;
  var label = slider.getAttribute("aria-valuetext").replace(/^\d+%/, "");
  function reveal() {
    frame.style.setProperty("--reveal", slider.value + "%");
    slider.setAttribute("aria-valuetext", slider.value + "%" + label);
  }
  slider.addEventListener("input", reveal);
  reveal();
})();
