// Quiz attempt page: autosave answers and show the time left. The server keeps the
// deadline and decides; this script only saves early and often and counts down.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) return;
  var status = document.getElementById("autosave-status");
  var messages = document.getElementById("quiz-messages").dataset;
  var revision = document.getElementById("revision");
  var saveUrl = form.dataset.saveUrl;
  var timer = null;
  var dirty = false;
  var submitting = false;

  function show(text) { if (status) status.textContent = text; }

  var sending = false;
  var pending = null;

  function save() {
    if (!dirty || submitting || sending) return;
    dirty = false;
    sending = true;
    var body = new FormData(form);
    fetch(saveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    }).then(function (result) {
      if (result.data.revision) revision.value = result.data.revision;
      var refused = result.data.refused || {};
      Array.prototype.forEach.call(document.querySelectorAll("[data-answer-error]"), function (el) {
        var message = refused[el.dataset.answerError];
        el.textContent = message || "";
        el.hidden = !message;
      });
      if (Object.keys(refused).length) {
        show(messages.refused);
      } else if (result.ok) {
        var now = new Date();
        show(messages.saved.replace("%(time)s", now.toLocaleTimeString()));
      } else {
        show(result.data.message || messages.failed);
        if (result.data.retry) {  // 503: the database is restarting; keep the answers, retry
          dirty = true;
          setTimeout(save, 5000);
        }
      }
    }).catch(function () { dirty = true; show(messages.failed); }).then(function () {
      sending = false;
      if (pending) {  // a button pressed while saving: send it now, with the new revision
        var button = pending;
        pending = null;
        form.requestSubmit(button === form ? undefined : button);
      }
    });
  }

  form.addEventListener("change", function () {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, 1000);
  });
  form.addEventListener("input", function () {
    // Typing (an essay, a short answer): save once the participant pauses.
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, 2000);
  });
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    if (sending) {
      event.preventDefault();
      pending = event.submitter || form;  // the form itself when no button was used
      return;
    }
    submitting = true;
  });
  setInterval(save, 30000);

  var clock = document.querySelector("[data-seconds-left]");
  if (clock) {
    var deadline = Date.now() + parseInt(clock.dataset.secondsLeft, 10) * 1000;
    var out = document.getElementById("time-left");
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      out.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left === 0 && !submitting) {
        show(messages.timeup);
        submitting = true;
        form.submit();
      }
    };
    tick();
    setInterval(tick, 1000);
  }
})();
