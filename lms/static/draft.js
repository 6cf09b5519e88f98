// Assignment draft: autosave the text while the participant writes. The server keeps the
// revision; a save from an out-of-date page is refused and said so, never applied.
(function () {
  "use strict";
  var form = document.getElementById("draft-form");
  var text = document.getElementById("text");
  if (!form || !text) return;
  var status = document.getElementById("autosave-status");
  var messages = document.getElementById("draft-messages").dataset;
  var revision = document.getElementById("revision");
  var timer = null;
  var sending = false;
  function save() {
    if (sending) return;
    sending = true;
    var body = new FormData();
    body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    body.append("revision", revision.value);
    body.append("text", text.value);
    fetch(form.dataset.saveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        revision.value = result.data.revision;
        status.textContent = messages.saved.replace("%(time)s", new Date().toLocaleTimeString());
      } else {
        status.textContent = result.data.message || messages.failed;
      }
    }).catch(function () {
      status.textContent = messages.failed;
    }).then(function () { sending = false; });
  }
  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 2000);
  });
})();
