// Grading page: add up the chosen rubric levels as the mentor clicks (the server computes
// the same total, and the late penalty, when the review is saved).
(function () {
  "use strict";
  var out = document.getElementById("rubric-total");
  if (!out) return;
  var form = out.closest("form");
  function total() {
    var sum = 0;
    form.querySelectorAll("input[type=radio][data-points]:checked").forEach(function (input) {
      sum += parseFloat(input.dataset.points);
    });
    out.textContent = String(Math.round(sum * 100) / 100);
  }
  form.addEventListener("change", total);
  total();
})();
