// salescrm pipeline board: drag a card to another column (SortableJS) -> the card's move form is
// submitted through htmx; the server answers with the card and, out of band, the three column headers.
// No inline scripts (CSP); no eval. Without a mouse the card's <select> does the same move.
(function () {
  "use strict";

  // Put every card in the column its data-horizon names (the server's truth after a swap:
  // a failed move re-renders the card with its real horizon, a menu move with the new one).
  function placeCards(root) {
    var board = document.getElementById("board");
    if (!board) { return; }
    var cards = (root && root.querySelectorAll ? root : board).querySelectorAll(".card[data-horizon]");
    if (root && root.matches && root.matches(".card[data-horizon]")) { cards = [root]; }
    Array.prototype.forEach.call(cards, function (card) {
      var list = board.querySelector('.cards-list[data-horizon="' + card.dataset.horizon + '"]');
      if (list && card.parentElement !== list) { list.insertBefore(card, list.firstChild); }
      var empty = list && list.querySelector(".empty-col");
      if (empty) { empty.remove(); }
    });
  }

  // SortableJS leaves a style attribute on a dropped card; htmx's settle step would copy it onto the
  // new card with setAttribute("style"), which the CSP (style-src 'self') blocks. Settle without it.
  // (htmx is loaded with defer: configure it once the document is parsed.)
  function configureHtmx() {
    if (window.htmx && htmx.config && htmx.config.attributesToSettle) {
      htmx.config.attributesToSettle = htmx.config.attributesToSettle.filter(function (a) { return a !== "style"; });
    }
  }

  var origin = {};  // card id -> {list, next}: where a dragged card came from (to undo on 404)

  function initSortable() {
    if (typeof Sortable === "undefined") { return; }
    document.querySelectorAll(".cards-list").forEach(function (list) {
      if (list.dataset.sortable) { return; }
      list.dataset.sortable = "1";
      Sortable.create(list, {
        group: "pipeline-board",
        draggable: ".card:not(.editing)",
        filter: "input, select, textarea, button, a, label",
        preventOnFilter: false,
        delay: 200,
        delayOnTouchOnly: true,
        animation: 120,
        onStart: function (evt) {
          origin[evt.item.id] = { list: evt.from, next: evt.item.nextSibling };
        },
        onEnd: function (evt) {
          if (evt.to === evt.from) { return; }
          var card = evt.item;
          var form = card.querySelector("form.move-form");
          var select = form && form.querySelector("select[name=horizon]");
          if (!form || !select) { return; }
          select.value = evt.to.dataset.horizon;
          card.removeAttribute("style");
          htmx.trigger(form, "submit");
        }
      });
    });
  }

  // 404 (not yours) is not swapped: put the card back where it was and reset its menu.
  document.addEventListener("htmx:responseError", function (event) {
    var form = event.detail.elt;
    if (!form || !form.classList || !form.classList.contains("move-form")) { return; }
    var card = form.closest(".card");
    if (!card) { return; }
    var from = origin[card.id];
    if (from && from.list) { from.list.insertBefore(card, from.next && from.next.parentElement === from.list ? from.next : null); }
    var select = form.querySelector("select[name=horizon]");
    if (select) { select.value = card.dataset.horizon; }
  });

  // A dialog opened from a card (test closing, won, lost) saved: redraw the board's cards and column
  // totals in place, with the filters of the URL, and say what was done (closing/views.py _done).
  document.addEventListener("salescrm:board-changed", function (event) {
    var board = document.getElementById("board");
    if (!board || !window.htmx) { return; }
    htmx.ajax("GET", window.location.pathname + window.location.search, { target: "#board", swap: "outerHTML" });
    var text = event.detail && event.detail.message;
    if (text) {
      var box = document.getElementById("board-status");
      if (!box) {
        box = document.createElement("p");
        box.id = "board-status";
        box.className = "messages board-status";
        box.setAttribute("role", "status");
        board.parentNode.insertBefore(box, board);
      }
      box.textContent = text;
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    placeCards();
    initSortable();
  });

  // The print view prints itself (no inline script: the body carries a class).
  function ready() {
    configureHtmx();
    initSortable();
    placeCards();
    if (document.body.classList.contains("print-view") && window.print) { window.print(); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
