/* Imports (导入): progress while a file uploads and while a confirmed import is written.
 *
 * Both forms work without this file (plain posts and redirects). With it:
 * - the upload form (data-import-upload) refuses a file over the size cap before sending it,
 *   sends it with XMLHttpRequest so <progress> shows the bytes uploaded, then shows an
 *   indeterminate bar while the server checks the rows; the server answers JSON with the
 *   preview's address, or the page with the error, whose <main> replaces this one;
 * - the confirm form (data-import-confirm) posts with fetch and shows an indeterminate bar and
 *   the seconds elapsed: the rows are written in one transaction, so there is no honest
 *   percentage to show until it commits;
 * - the fill form (data-import-fill) disables the confirm button once its choice changes, until
 *   the rows are checked again with it.
 * The CSP allows no inline script: this file is loaded with <script src defer>.
 */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrftoken]");
    return input ? input.value : "";
  }

  function parts(form) {
    return {
      box: form.querySelector("[data-import-progress]") ||
        form.parentElement.parentElement.querySelector("[data-import-progress]"),
      buttons: form.parentElement.querySelectorAll("button")
    };
  }

  function setBusy(buttons, busy) {
    Array.prototype.forEach.call(buttons, function (button) {
      button.disabled = busy;
    });
  }

  function replaceMain(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var incoming = page.querySelector("main");
    var current = document.querySelector("main");
    if (!incoming || !current) {
      return false;
    }
    current.replaceWith(incoming);
    bind(incoming);
    incoming.focus();
    return true;
  }

  function bindUpload(form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      var file = input && input.files && input.files[0];
      var error = form.querySelector("[data-import-error]");
      var limit = Number(form.dataset.maxBytes || 0);
      if (!file || !window.XMLHttpRequest || !window.FormData) {
        return; // the server answers with the message next to the field
      }
      event.preventDefault();
      if (limit && file.size > limit) {
        error.textContent = form.dataset.tooLarge;
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      var box = form.querySelector("[data-import-progress]");
      var bar = box.querySelector("progress");
      var status = box.querySelector("[data-import-status]");
      var buttons = form.querySelectorAll("button");
      box.hidden = false;
      bar.max = 100;
      bar.value = 0;
      status.textContent = form.dataset.uploading;
      setBusy(buttons, true);

      var request = new XMLHttpRequest();
      request.open("POST", form.action || window.location.href);
      request.setRequestHeader("Accept", "application/json");
      request.setRequestHeader("X-CSRFToken", csrfToken(form));
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) {
          bar.value = Math.round((progress.loaded / progress.total) * 100);
          status.textContent = form.dataset.uploading + " " + bar.value + "%";
        }
      });
      request.upload.addEventListener("load", function () {
        bar.removeAttribute("value"); // indeterminate: the server is checking the rows
        status.textContent = form.dataset.checking;
      });
      request.addEventListener("load", function () {
        var type = request.getResponseHeader("Content-Type") || "";
        if (request.status === 200 && type.indexOf("application/json") === 0) {
          window.location.assign(JSON.parse(request.responseText).location);
        } else if (!replaceMain(request.responseText)) {
          window.location.reload();
        }
      });
      request.addEventListener("error", function () {
        box.hidden = true;
        error.textContent = form.dataset.failed;
        error.hidden = false;
        setBusy(buttons, false);
      });
      request.send(new FormData(form));
    });
  }

  function bindConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) {
        return;
      }
      event.preventDefault();
      var found = parts(form);
      var status = found.box.querySelector("[data-import-status]");
      var started = Date.now();
      found.box.hidden = false;
      setBusy(found.buttons, true);
      status.textContent = form.dataset.writing;
      var timer = window.setInterval(function () {
        var seconds = Math.round((Date.now() - started) / 1000);
        status.textContent = form.dataset.writing + " " + seconds + " s";
      }, 1000);
      window
        .fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) }
        })
        .then(function (response) {
          return response.json();
        })
        .then(function (answer) {
          window.location.assign(answer.location);
        })
        .catch(function () {
          window.clearInterval(timer);
          status.textContent = form.dataset.failed;
        });
    });
  }

  // Once the way of filling a missing column is changed, the rows shown are no longer what
  // a confirm would write: the confirm button waits until they are checked again.
  function bindFill(form) {
    function changed() {
      var hint = form.querySelector("[data-import-fill-hint]");
      if (hint) {
        hint.hidden = false;
      }
      Array.prototype.forEach.call(
        document.querySelectorAll("[data-import-confirm] button"),
        function (button) {
          button.disabled = true;
        }
      );
    }
    form.addEventListener("change", changed);
    form.addEventListener("input", function (event) {
      // typing a value for all rows chooses that way for its column
      var name = event.target.name || "";
      if (name.indexOf("value-") === 0) {
        var own = form.querySelector(
          "input[type=radio][name='fill-" + name.slice(6) + "'][value=set]"
        );
        if (own) {
          own.checked = true;
        }
      }
      changed();
    });
  }

  function bind(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-import-upload]"), bindUpload);
    Array.prototype.forEach.call(root.querySelectorAll("[data-import-confirm]"), bindConfirm);
    Array.prototype.forEach.call(root.querySelectorAll("[data-import-fill]"), bindFill);
  }

  bind(document);
})();
