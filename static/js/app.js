// salescrm: small behaviours on top of htmx. No inline scripts (CSP), no eval.
(function () {
  "use strict";
  // Validation errors (400/422) and edit conflicts (409) come back as fragments that explain what
  // went wrong: show them instead of dropping them, as htmx does for error statuses by default.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // A network failure or a server error gets a visible message rather than silence.
  function flash(text) {
    var box = document.getElementById("flash");
    if (!box) {
      box = document.createElement("div");
      box.id = "flash";
      box.className = "flash";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.textContent = text;
    box.hidden = false;
    window.setTimeout(function () { box.hidden = true; }, 6000);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 500) { flash(document.documentElement.lang === "ja" ? "サーバーエラーが発生しました。もう一度お試しください。" : "Server error. Please try again."); }
    else if (status === 404) { flash(document.documentElement.lang === "ja" ? "見つかりません。" : "Not found."); }
    else if (status === 403) { flash(document.documentElement.lang === "ja" ? "この操作は許可されていません。" : "Not allowed."); }
  });
  document.addEventListener("htmx:sendError", function () {
    flash(document.documentElement.lang === "ja" ? "通信できませんでした。接続を確認してください。" : "Could not reach the server. Check your connection.");
  });
  // Back/forward: htmx restores a filtered list from its history cache as HTML, which holds the results
  // but not what was chosen in the filter form since the page loaded. Put the URL's values back in.
  document.addEventListener("htmx:historyRestore", function () {
    var params = new URLSearchParams(window.location.search);
    document.querySelectorAll("form.filters").forEach(function (form) {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || field.type === "submit" || field.type === "button") { return; }
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = params.getAll(field.name).indexOf(field.value) !== -1;
        } else if (params.has(field.name)) {
          field.value = params.get(field.name);
        }
      });
    });
  });
  // A button that puts a value the page offers into a field (the board's quick edit: a budget a
  // test closing revealed, as the amount); the rep still saves the form.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill]");
    var field = button && document.querySelector(button.getAttribute("data-fill"));
    if (field) {
      field.value = button.getAttribute("data-value");
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.focus();
    }
  });
  // The main menu is a <details>: one button on a phone, always open on a wider screen.
  var navmenu = document.getElementById("navmenu");
  var wide = window.matchMedia("(min-width: 800px)");
  function syncMenu() { if (navmenu) { navmenu.open = wide.matches; } }
  syncMenu();
  wide.addEventListener("change", syncMenu);
  // <dialog> fragments loaded into #dialog-slot open themselves.
  document.addEventListener("htmx:afterSettle", function (event) {
    var dialog = event.detail.elt.querySelector && event.detail.elt.querySelector("dialog[data-autoopen]");
    if (dialog && !dialog.open) { dialog.showModal(); }
  });
  // A text field's limit (templates/django/forms/widgets/_limit.html) with a live count, so a value the
  // browser would cut at maxlength is seen reaching it.
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.id || !field.maxLength || field.maxLength < 0) { return; }
    var note = document.querySelector('[data-limit-for="' + field.id + '"]');
    var count = note && note.querySelector(".limit-count");
    if (!count) { return; }
    count.textContent = " (" + field.value.length + "/" + field.maxLength + ")";
    note.classList.toggle("at-limit", field.value.length >= field.maxLength);
  });
  // The prospect list's "select all on this page": ticks every row box that belongs to the same form.
  document.addEventListener("change", function (event) {
    var all = event.target.closest && event.target.closest("input[data-select-all]");
    if (!all) { return; }
    document.querySelectorAll('input[name="selected"][form="' + all.dataset.selectAll + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog) { dialog.close(); dialog.remove(); }
    }
  });
})();
