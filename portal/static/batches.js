/* Follows a batch PDF export (templates/portal/batch_detail.html): polls the batch's progress
 * JSON about once a second and moves the <progress> bar and its text ("Queued..." while
 * queued, then "37 / 120 done, started at ...") and the start time; when the
 * batch has finished, reloads the page, which then shows the download link and any failures.
 * Without scripts the page refreshes itself (a <noscript> meta refresh). CSP: loaded as a
 * file, no inline code.
 */
(function () {
  "use strict";

  var section = document.querySelector("[data-progress-url]");
  if (!section || !window.fetch) {
    return;
  }
  var url = section.getAttribute("data-progress-url");
  var bar = document.getElementById("batch-progress");
  var text = document.getElementById("batch-progress-text");
  var status = document.getElementById("batch-status");
  var started = document.getElementById("batch-started");
  var delay = 1000;

  function show(data) {
    bar.max = Math.max(data.total, 1);
    if (data.status !== "queued") {
      bar.value = data.done;
    }
    bar.textContent = data.text;
    if (text.textContent !== data.text) {
      text.textContent = data.text;
    }
    if (started && data.started && started.textContent !== data.started) {
      started.textContent = data.started;
    }
    status.textContent = data.status_label;
    status.setAttribute("data-status", data.status);
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("progress answered " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        delay = 1000;
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 10000); // the server restarting: try again, less often
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
