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
