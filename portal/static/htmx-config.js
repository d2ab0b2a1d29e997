// Settings for the vendored htmx (vendor/htmx): loaded right after it, before the page is parsed
// to the end, so htmx reads them when it starts.
// - Every htmx request carries the CSRF token as the X-CSRFToken header, read from the
//   csrftoken cookie (portal/csrf.py keeps that cookie current), so htmx POSTs pass CSRF.
// - The Content-Security-Policy allows no inline style or script and no eval: htmx must not
//   insert its indicator <style>, evaluate hx-on/js: attributes, or run swapped-in scripts.
(function () {
  "use strict";
  if (!window.htmx) { return; }
  var config = window.htmx.config;
  config.includeIndicatorStyles = false;
  config.allowEval = false;
  config.allowScriptTags = false;
  config.selfRequestsOnly = true;
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) { event.detail.headers["X-CSRFToken"] = token; }
  });
})();
