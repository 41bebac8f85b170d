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

// Keyboard shortcuts. Keys are read by their place on the keyboard
// (KeyboardEvent.code), so they work the same with an Arabic or a French
// layout. They are off while the reviewer types in a field, and no key
// sends a decision: a label key ticks the label and puts the cursor in the
// rationale, which the reviewer must still write and send.
function typing(el) {
  return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}
var helpReturn = null;
function helpOpen() { var h = document.getElementById("keys-help"); return h && !h.hidden; }
function showHelp(show) {
  var h = document.getElementById("keys-help");
  if (!h) { return; }
  if (show) {
    helpReturn = document.activeElement;
    h.hidden = false;
    document.getElementById("keys-close").focus();
  } else {
    h.hidden = true;
    if (helpReturn && document.contains(helpReturn)) { helpReturn.focus(); }
    helpReturn = null;
  }
}
// moveCurrent marks the next (by +1) or previous (-1) case of the queue
// and puts the focus on its link, so Enter opens it.
function moveCurrent(by) {
  var items = Array.prototype.slice.call(document.querySelectorAll("#queue > li.item"));
  if (!items.length) { return; }
  var at = items.findIndex(function (li) { return li.classList.contains("current"); });
  var to = at < 0 ? (by > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, at + by));
  items.forEach(function (li, i) { li.classList.toggle("current", i === to); });
  var link = items[to].querySelector(".case-link");
  link.focus();
  items[to].scrollIntoView({block: "nearest"});
}
function pickLabel(key) {
  var box = document.querySelector('#decide-form input[name="label"][data-key="' + key + '"]');
  if (!box) { return; }
  if (key === "0") {
    // "none" stands alone.
    document.querySelectorAll('#decide-form input[name="label"]').forEach(function (b) { b.checked = b === box; });
  } else {
    box.checked = !box.checked;
    var none = document.querySelector('#decide-form input[name="label"][data-key="0"]');
    if (none && box.checked) { none.checked = false; }
  }
  document.getElementById("rationale").focus();
}
document.addEventListener("keydown", function (ev) {
  if (helpOpen()) {
    if (ev.key === "Escape") { ev.preventDefault(); showHelp(false); return; }
    if (ev.key === "Tab") {
      // Focus stays in the dialog while it is open.
      ev.preventDefault();
      document.getElementById("keys-close").focus();
    }
    return;
  }
  if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) { return; }
  if (ev.key === "?" || ev.key === "؟" || (ev.code === "Slash" && ev.shiftKey)) {
    ev.preventDefault();
    showHelp(true);
    return;
  }
  var el;
  switch (ev.code) {
  case "KeyJ": case "KeyK":
    if (document.getElementById("queue")) { ev.preventDefault(); moveCurrent(ev.code === "KeyJ" ? 1 : -1); }
    return;
  case "Enter": case "NumpadEnter":
    el = document.querySelector("#queue > li.item.current .case-link");
    if (el && ev.target !== el) { ev.preventDefault(); el.click(); }
    return;
  case "KeyN":
    el = document.getElementById("next-case");
    if (el) { ev.preventDefault(); el.click(); }
    return;
  case "KeyC":
    el = document.getElementById("claim");
    if (el) { ev.preventDefault(); el.click(); }
    return;
  case "KeyR":
    var media = document.querySelectorAll("[data-reveal]");
    if (media.length) {
      ev.preventDefault();
      // All alike: blur them all again if any is shown.
      var shown = Array.prototype.some.call(media, function (m) { return !m.classList.contains("blurred"); });
      media.forEach(function (m) { m.classList.toggle("blurred", shown); });
    }
    return;
  }
  var m = /^(?:Digit|Numpad)([0-5])$/.exec(ev.code);
  if (m && document.getElementById("decide-form")) {
    ev.preventDefault();
    pickLabel(m[1]);
  }
});
document.addEventListener("click", function (ev) {
  if (ev.target.closest("#keys-open")) { showHelp(true); return; }
  if (ev.target.closest("#keys-close")) { showHelp(false); return; }
  var h = document.getElementById("keys-help");
  if (h && !h.hidden && ev.target === h) { showHelp(false); }
});
