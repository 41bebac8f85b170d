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

// Deadlines count down in the page. The server writes the same text when
// it renders, so without JavaScript the page shows it as of that moment.
function spanText(ms, units) {
  var m = Math.round(Math.abs(ms) / 60000);
  var parts = [[Math.floor(m / 1440), units[0]], [Math.floor(m / 60) % 24, units[1]], [m % 60, units[2]]];
  var out = [];
  parts.forEach(function (p) { if (p[0] > 0 && out.length < 2) { out.push(p[0] + " " + p[1]); } });
  return out.length ? out.join(" ") : "0 " + units[2];
}
function tick() {
  var now = Date.now();
  document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
    var left = Date.parse(el.getAttribute("data-deadline")) - now;
    var phrase = el.getAttribute(left < 0 ? "data-overdue" : "data-left");
    el.textContent = phrase.replace(/%s/, spanText(left, el.getAttribute("data-units").split(" ")));
    el.classList.toggle("late", left < 0);
  });
}
document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 30000); });
