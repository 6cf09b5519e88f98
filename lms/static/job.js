// Job page: follow the job's progress from its JSON status every two seconds, in place;
// once it is finished, load the page again (the server draws the download or the outcome).
// Without scripts the page's <noscript> meta refresh reloads it instead.
(function () {
  "use strict";
  var section = document.querySelector("[data-status-url]");
  if (!section) return;
  var url = section.dataset.statusUrl;
  var bar = section.querySelector("[data-job-bar]");
  var percent = section.querySelector("[data-job-percent]");
  var text = section.querySelector("[data-job-text]");
  var wait = 2000;
  function show(data) {
    section.dataset.status = data.status;
    if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
    if (percent) percent.textContent = data.percent + "%";
    if (text && data.text && text.textContent !== data.text) text.textContent = data.text;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.reload();
          return;
        }
        wait = 2000;
        setTimeout(poll, wait);
      })
      .catch(function () {
        wait = Math.min(wait * 2, 30000); // the server is busy or away: ask less often
        setTimeout(poll, wait);
      });
  }
  setTimeout(poll, wait);
})();
