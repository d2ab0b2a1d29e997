/* Slow PDFs (annual report, project summary, pool roster): a link or GET form marked
 * data-pdf-wait (templates/_pdf_wait.html) shows a progress state next to itself at once —
 * "Making the PDF…", an indeterminate <progress>, the seconds elapsed — fetches the PDF, then
 * starts its download under the server's file name (Content-Disposition) and says it is ready,
 * with a link to save it again; a failure shows its message. The status is a polite live
 * region, created when the page loads so that screen readers announce its changes; the
 * seconds are not announced. Without scripts the plain link or form downloads the PDF.
 * CSP: loaded as a file, no inline code; the download is an object URL.
 */
(function () {
  "use strict";

  if (!window.fetch || !window.URL || !URL.createObjectURL) {
    return;
  }

  function fileName(disposition, fallback) {
    var match = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition || "");
    if (match) {
      try {
        return decodeURIComponent(match[1].trim());
      } catch (error) {
        /* a malformed name: try the plain one */
      }
    }
    match = /filename\s*=\s*"([^"]+)"/i.exec(disposition || "");
    return match ? match[1] : fallback;
  }

  function text(element, name, seconds) {
    return (element.getAttribute(name) || "").replace("{s}", String(seconds));
  }

  function statusFor(trigger) {
    var status = document.createElement("span");
    status.className = "pdf-wait";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    if (trigger.tagName === "FORM") {
      trigger.appendChild(status);
    } else {
      trigger.insertAdjacentElement("afterend", status);
    }
    return status;
  }

  function requestUrl(trigger) {
    if (trigger.tagName !== "FORM") {
      return trigger.href;
    }
    var url = new URL(trigger.action, window.location.href);
    var data = new FormData(trigger);
    data.forEach(function (value, key) {
      if (typeof value === "string" && value !== "") {
        url.searchParams.append(key, value);
      }
    });
    return url.href;
  }

  function start(trigger, status) {
    var began = Date.now();
    var seconds = 0;
    var objectUrl = trigger._pdfWaitUrl;
    if (objectUrl) {
      URL.revokeObjectURL(objectUrl);
      trigger._pdfWaitUrl = null;
    }
    trigger.setAttribute("aria-busy", "true");
    status.textContent = "";
    status.setAttribute("data-state", "making");
    var bar = document.createElement("progress");
    bar.setAttribute("aria-label", text(trigger, "data-pdf-wait", 0));
    var message = document.createElement("span");
    message.textContent = text(trigger, "data-pdf-wait", 0);
    var elapsed = document.createElement("span");
    elapsed.className = "pdf-wait-elapsed";
    elapsed.setAttribute("aria-hidden", "true");
    elapsed.textContent = text(trigger, "data-pdf-wait-elapsed", 0);
    status.appendChild(bar);
    status.appendChild(message);
    status.appendChild(elapsed);
    var timer = window.setInterval(function () {
      seconds = Math.floor((Date.now() - began) / 1000);
      elapsed.textContent = text(trigger, "data-pdf-wait-elapsed", seconds);
    }, 1000);

    function finish(state, words) {
      window.clearInterval(timer);
      trigger.removeAttribute("aria-busy");
      status.textContent = "";
      status.setAttribute("data-state", state);
      var line = document.createElement("span");
      line.textContent = words;
      status.appendChild(line);
      return line;
    }

    fetch(requestUrl(trigger), {
      credentials: "same-origin",
      headers: { Accept: "application/pdf" },
      cache: "no-store"
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.status === 400 && trigger.tagName === "FORM") {
          // A value the server refuses: its page shows the message next to the field.
          window.clearInterval(timer);
          trigger.setAttribute("data-pdf-wait-native", "");
          HTMLFormElement.prototype.submit.call(trigger);
          return null;
        }
        if (!response.ok || type.indexOf("application/pdf") !== 0) {
          throw { words: text(trigger, "data-pdf-wait-failed", 0).replace("{status}", String(response.status)) };
        }
        var name = fileName(response.headers.get("Content-Disposition"), "document.pdf");
        return response.blob().then(function (blob) {
          var url = URL.createObjectURL(blob);
          trigger._pdfWaitUrl = url;
          finish("done", text(trigger, "data-pdf-wait-done", Math.round((Date.now() - began) / 1000)));
          var save = document.createElement("a");
          save.href = url;
          save.download = name;
          save.textContent = text(trigger, "data-pdf-wait-save", 0);
          status.appendChild(document.createTextNode(" "));
          status.appendChild(save);
          save.click();
        });
      })
      .catch(function (error) {
        // A refusal or server error says so with its status; a failed fetch means no connection.
        finish("failed", error && error.words ? error.words : text(trigger, "data-pdf-wait-offline", 0));
      });
  }

  function ensureStatus(trigger) {
    if (!trigger._pdfWaitStatus || !trigger._pdfWaitStatus.isConnected) {
      trigger._pdfWaitStatus = statusFor(trigger);
    }
    return trigger._pdfWaitStatus;
  }

  function prepare() {
    var triggers = document.querySelectorAll("a[data-pdf-wait], form[data-pdf-wait]");
    for (var i = 0; i < triggers.length; i += 1) {
      ensureStatus(triggers[i]);
    }
  }

  // Delegated, so that links htmx swaps in later work too.
  document.addEventListener("click", function (e) {
    var trigger = e.target.closest ? e.target.closest("a[data-pdf-wait]") : null;
    if (!trigger || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
      return; // not ours, or a new tab or window: the plain link
    }
    e.preventDefault();
    if (trigger.getAttribute("aria-busy") !== "true") {
      start(trigger, ensureStatus(trigger));
    }
  });

  document.addEventListener("submit", function (e) {
    var trigger = e.target;
    if (!trigger.matches || !trigger.matches("form[data-pdf-wait]") || e.defaultPrevented ||
        trigger.hasAttribute("data-pdf-wait-native")) {
      return;
    }
    e.preventDefault();
    if (trigger.getAttribute("aria-busy") !== "true") {
      start(trigger, ensureStatus(trigger));
    }
  });

  document.addEventListener("htmx:afterSettle", prepare);
  prepare();
})();
