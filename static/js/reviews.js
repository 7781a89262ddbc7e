// Review pages: drop a pin by clicking the image, keep pins and checklist highlighted together. Everything is saved
// by plain form posts. Listeners sit on the document, so they keep working after the presenter swaps its page in
// (the presenter's keys are static/js/present.js).
(function () {
  "use strict";

  // Pins and checklist items share data-item: pointing at one lights up the other.
  function hot(id, on) {
    document.querySelectorAll('[data-item="' + id + '"]').forEach(function (el) {
      el.classList.toggle("is-hot", on);
    });
  }
  document.addEventListener("mouseover", function (event) {
    var el = event.target.closest && event.target.closest("[data-item]");
    if (el && !(event.relatedTarget && el.contains(event.relatedTarget))) hot(el.dataset.item, true);
  });
  document.addEventListener("mouseout", function (event) {
    var el = event.target.closest && event.target.closest("[data-item]");
    if (el && !(event.relatedTarget && el.contains(event.relatedTarget))) hot(el.dataset.item, false);
  });
  document.addEventListener("click", function (event) {
    var pin = event.target.closest && event.target.closest(".review-pin[data-item]");
    if (!pin) return;
    var item = document.getElementById("item-" + pin.dataset.item);
    if (item) item.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });

  // Annotation page: a click on the image places a new numbered pin and opens the comment form.
  var form = document.getElementById("pin-form");
  var stage = document.querySelector(".review-stage.pinnable .review-canvas");
  if (!form || !stage) return;
  var image = stage.querySelector("img");
  var draft = null;
  var nextNumber = document.querySelectorAll(".review-checklist > li[data-item]").length + 1;

  function clamp(value) { return Math.min(1, Math.max(0, value)); }

  image.addEventListener("click", function (event) {
    var box = image.getBoundingClientRect();
    var x = clamp((event.clientX - box.left) / box.width);
    var y = clamp((event.clientY - box.top) / box.height);
    form.elements.x.value = x.toFixed(4);
    form.elements.y.value = y.toFixed(4);
    if (!draft) {
      draft = document.createElement("span");
      draft.className = "review-pin pin-new";
      draft.textContent = String(nextNumber);
      draft.setAttribute("data-testid", "pin-draft");
      stage.appendChild(draft);
    }
    draft.style.left = (x * 100) + "%";
    draft.style.top = (y * 100) + "%";
    form.hidden = false;
    form.elements.body.focus();
  });

  form.querySelector("[data-pin-cancel]").addEventListener("click", function () {
    form.hidden = true;
    form.elements.body.value = "";
    if (draft) { draft.remove(); draft = null; }
  });
})();
