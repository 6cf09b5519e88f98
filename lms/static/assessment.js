// SPBE self-assessment: autosave while the coordinator types, and warn before the page is
// left with something unsaved. The server keeps a revision; a save from a stale tab is
// refused and said so, and the typed text stays on the page.
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  if (!form) return;
  var status = document.getElementById("autosave-status");
  var messages = document.getElementById("assessment-messages").dataset;
  var revision = document.getElementById("revision");
  var timer = null;
  var dirty = false;
  var sending = false;
  var stale = false;
  var leaving = false;
  var pending = null;

  function show(text, error) {
    status.textContent = text;
    status.classList.toggle("field-error", !!error);
  }

  function save() {
    if (!dirty || sending || stale) return;
    sending = true;
    dirty = false;
    var body = new FormData(form);
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        revision.value = result.data.revision;
        show(messages.saved.replace("%(time)s", new Date().toLocaleTimeString()), false);
      } else {
        dirty = true;  // still unsaved: keep warning before leaving
        if (result.data.stale) stale = true;
        var problems = result.data.problems || {};
        var first = Object.keys(problems)[0];
        var detail = first ? " " + first.replace(/^\w+-/, "#") + ": " + problems[first] : "";
        show((result.data.message || messages.failed) + detail, true);
      }
    }).catch(function () {
      dirty = true;
      show(messages.failed, true);
    }).then(function () {
      sending = false;
      if (pending) {  // a button pressed while saving: send it now, with the new revision
        var button = pending;
        pending = null;
        form.requestSubmit(button === form ? undefined : button);
      }
    });
  }

  function changed(delay) {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }
  form.addEventListener("input", function () { changed(2000); });
  form.addEventListener("change", function () { changed(1000); });
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    if (sending) {
      event.preventDefault();
      pending = event.submitter || form;  // the form itself when no button was used
      return;
    }
    leaving = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if ((dirty || sending) && !leaving) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
