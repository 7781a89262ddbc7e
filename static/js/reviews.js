// Review pages: drop a pin by clicking the image, keep pins and checklist highlighted together,
// and move between presenter items with the arrow keys. Everything is saved by plain form posts.
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // Presenter: ArrowLeft / ArrowRight follow the previous / next links.
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    var which = event.key === "ArrowRight" ? "next" : event.key === "ArrowLeft" ? "prev" : null;
    if (!which) return;
    var link = document.querySelector('[data-nav="' + which + '"]');
    if (link) {
      event.preventDefault();
      window.location.href = link.href;
    }
  });

  // Pins and checklist items share data-item: pointing at one lights up the other.
  function hot(id, on) {
    document.querySelectorAll('[data-item="' + id + '"]').forEach(function (el) {
      el.classList.toggle("is-hot", on);
    });
  }
  document.querySelectorAll("[data-item]").forEach(function (el) {
    el.addEventListener("mouseenter", function () { hot(el.dataset.item, true); });
    el.addEventListener("mouseleave", function () { hot(el.dataset.item, false); });
  });
  document.querySelectorAll(".review-pin").forEach(function (pin) {
    pin.addEventListener("click", function (event) {
      event.stopPropagation();
      var item = document.getElementById("item-" + pin.dataset.item);
      if (item) item.scrollIntoView({ block: "nearest", behavior: "smooth" });
    });
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
