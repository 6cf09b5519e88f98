// Live Markdown preview: the server renders and sanitizes; this only fetches and shows it.
(function () {
  "use strict";
  function attach(textarea) {
    var target = document.getElementById(textarea.dataset.preview);
    var url = textarea.dataset.previewUrl;
    var form = textarea.form;
    if (!target || !url || !form) return;
    var token = form.querySelector("input[name=csrf_token]");
    var timer = null;
    var sequence = 0;
    function refresh() {
      var mine = ++sequence;
      var body = new FormData();
      body.append("text", textarea.value);
      if (token) body.append("csrf_token", token.value);
      fetch(url, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) { if (mine === sequence) target.innerHTML = html; })
        .catch(function () { /* keep the last good preview */ });
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    refresh();
  }
  document.querySelectorAll("textarea[data-preview]").forEach(attach);
})();
