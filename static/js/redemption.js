// 兑付申请 dialogs: htmx loads 选择订单 / 发票管理 / 新增发票 into #dialog-body; show the
// Bootstrap modal when something arrives there, close it on the server's "redemption:close".
(function () {
  "use strict";
  function modal() {
    var el = document.getElementById("dialog");
    return el && window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(el) : null;
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.target && event.detail.target.id === "dialog-body") {
      var m = modal();
      if (m) m.show();
    }
  });
  document.body.addEventListener("redemption:close", function () {
    var m = modal();
    if (m) m.hide();
  });
})();
