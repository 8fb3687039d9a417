// 立即下单: recompute the price split (创新券支付 / 企业自付) when the quantity changes.
// Display only: the server computes the real share when the quota is confirmed.
(function () {
  "use strict";
  function cents(text) {
    var m = /^(\d+)(?:\.(\d{1,2}))?$/.exec((text || "").trim());
    if (!m) { return null; }
    return parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
  }
  function yuan(c) {
    var s = String(c % 100);
    return Math.floor(c / 100) + "." + (s.length < 2 ? "0" + s : s);
  }
  function update(form) {
    var table = document.querySelector("[data-testid='price-split']");
    var qtyInput = form.querySelector("input[name='quantity']");
    var price = cents(form.dataset.price);
    var ratio = parseFloat(form.dataset.ratio);
    if (!table || !qtyInput || price === null || isNaN(ratio)) { return; }
    var qty = parseInt(qtyInput.value, 10);
    if (!(qty >= 1 && qty <= 9999)) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var remaining = cents(row.dataset.remaining);
      var amount = price * qty;
      var share = Math.min(Math.round(amount * ratio), remaining === null ? amount : remaining);
      var cells = row.querySelectorAll("td");
      cells[1].textContent = yuan(amount);
      cells[2].textContent = yuan(share);
      cells[3].textContent = yuan(amount - share);
    });
    var note = document.querySelector("[data-split-quantity]");
    if (note) { note.textContent = String(qty); }
  }
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form.order-form");
    if (form && event.target.name === "quantity") { update(form); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.order-form");
    if (form) { update(form); }
  });
})();
