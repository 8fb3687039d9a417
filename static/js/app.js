// Small behaviours for every page. No inline scripts anywhere (Content-Security-Policy).
(function () {
  "use strict";

  function init(root) {
    // Progress bars: width from data-width (no inline style attributes).
    root.querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, parseInt(el.dataset.width, 10) || 0)) + "%";
    });
    // Live character counters like the manual's 0/200 for textareas with maxlength.
    root.querySelectorAll("textarea[maxlength], input[data-counter][maxlength]").forEach(function (el) {
      if (el.dataset.counterReady) return;
      el.dataset.counterReady = "1";
      var counter = document.createElement("div");
      counter.className = "char-counter text-end";
      var update = function () { counter.textContent = el.value.length + "/" + el.maxLength; };
      el.insertAdjacentElement("afterend", counter);
      el.addEventListener("input", update);
      update();
    });
  }

  // Forms that ask for confirmation before submitting (取消订单, 删除 ...).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);

  // The 前往 page box submits on change.
  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("goto-input")) {
      event.target.form.submit();
    }
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
