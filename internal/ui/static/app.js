// marsad: the little the pages need beyond HTML. Reveal a blurred media file
// on click (click again to blur it), and ask before actions that go outside.
"use strict";
document.addEventListener("click", function (ev) {
  var reveal = ev.target.closest("[data-reveal]");
  if (reveal) {
    reveal.classList.toggle("blurred");
    return;
  }
  var confirmBtn = ev.target.closest("[data-confirm]");
  if (confirmBtn && !window.confirm(confirmBtn.getAttribute("data-confirm"))) {
    ev.preventDefault();
  }
});

// A table wider than the screen scrolls inside its box; such a box must be
// reachable by keyboard to be scrolled with the arrow keys.
function markScrollable() {
  var label = document.body.getAttribute("data-scroll-label") || "";
  document.querySelectorAll(".scroll").forEach(function (el) {
    if (el.scrollWidth > el.clientWidth + 1) {
      el.tabIndex = 0;
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", label);
    } else if (el.getAttribute("role") === "region") {
      el.removeAttribute("tabindex");
      el.removeAttribute("role");
      el.removeAttribute("aria-label");
    }
  });
}
document.addEventListener("DOMContentLoaded", markScrollable);
window.addEventListener("resize", markScrollable);
