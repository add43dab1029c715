// tensora's only script, and an optional one: every page works without it.
// It polls a running job's status for a live progress bar, marks a drop zone while a file is dragged over it,
// and sends the answer form on Ctrl+Enter (or Cmd+Enter).
(function () {
  "use strict";
  var job = document.querySelector("[data-job]");
  if (job && (job.dataset.state === "queued" || job.dataset.state === "running")) {
    var bar = document.getElementById("progress");
    var step = document.getElementById("step");
    var poll = function () {
      fetch("/jobs/" + job.dataset.job + "/status", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.state === "done" && s.next) { window.location.replace(s.next); return; }
          if (s.state === "failed") { window.location.reload(); return; }
          bar.max = s.total; bar.value = s.done;
          step.textContent = s.step + (s.position ? " (" + s.position + " ahead in the queue)" : "") + "\u2026";
          window.setTimeout(poll, 250);
        })
        .catch(function () { window.setTimeout(poll, 1000); });
    };
    window.setTimeout(poll, 150);
  }
  document.querySelectorAll(".drop").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    var title = zone.querySelector(".drop-hint");
    ["dragenter", "dragover"].forEach(function (e) {
      zone.addEventListener(e, function (ev) { ev.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (e) {
      zone.addEventListener(e, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (ev) {
      ev.preventDefault();
      if (ev.dataTransfer && ev.dataTransfer.files.length) { input.files = ev.dataTransfer.files; }
      if (input.files.length) { title.textContent = input.files[0].name; }
    });
    input.addEventListener("change", function () {
      if (input.files.length) { title.textContent = input.files[0].name; }
    });
  });
  var text = document.getElementById("text");
  if (text) {
    text.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); text.form.requestSubmit(); }
    });
  }
})();
