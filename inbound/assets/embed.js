/* salescrm web inquiry form (反響フォーム): the embed script of the pasted snippet.
   For each <form data-salescrm-inquiry>: fetch a fresh fill-time token, and send the form with fetch()
   so that the visitor stays on the page and sees the thank-you text (or what to correct) in place.
   Without this script the form still posts, and the answer is a page of the CRM. */
(function () {
  "use strict";
  function setup(form) {
    if (form.getAttribute("data-salescrm-ready")) return;
    form.setAttribute("data-salescrm-ready", "1");
    var lang = form.querySelector("input[name=lang]");
    if (lang && !lang.value) lang.value = (document.documentElement.lang || navigator.language || "").slice(0, 2);
    var ts = form.querySelector("input[name=ts]");
    var tokenUrl = form.getAttribute("data-token-url");
    if (ts && tokenUrl && window.fetch) {
      fetch(tokenUrl, { credentials: "omit" })
        .then(function (r) { return r.json(); })
        .then(function (data) { ts.value = data.token || ""; form.setAttribute("data-salescrm-token", "1"); })
        .catch(function () {});
    }
    var status = form.querySelector("[data-salescrm-status]");
    function say(text, isError) {
      if (!status) return;
      status.textContent = text;
      status.className = isError ? "salescrm-error" : "salescrm-thanks";
    }
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) return;
      event.preventDefault();
      var button = form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      var olds = form.querySelectorAll(".salescrm-field-error");
      for (var i = 0; i < olds.length; i++) olds[i].parentNode.removeChild(olds[i]);
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "omit"
      })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.ok) {
            var done = document.createElement("p");
            done.className = "salescrm-thanks";
            done.setAttribute("data-salescrm-thanks", "1");
            done.textContent = data.message || "";
            form.parentNode.replaceChild(done, form);
            return;
          }
          if (button) button.disabled = false;
          say(data.reason || "", true);
          var errors = data.errors || {};
          Object.keys(errors).forEach(function (name) {
            var input = form.querySelector("[name='" + name + "']");
            if (!input) return;
            var note = document.createElement("span");
            note.className = "salescrm-field-error";
            note.textContent = errors[name].join(" ");
            input.parentNode.appendChild(note);
          });
        })
        .catch(function () {
          if (button) button.disabled = false;
          say(form.getAttribute("data-error-text") || "", true);
        });
    });
  }
  function all() {
    var forms = document.querySelectorAll("form[data-salescrm-inquiry]");
    for (var i = 0; i < forms.length; i++) setup(forms[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
})();
