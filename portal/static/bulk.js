/* Bulk actions on a list (批量操作): the row checkboxes of a form marked data-bulk="<list>".
 *
 * The page works without this file: tick rows, press an action button, the ticked ids go as
 * repeated ?student= parameters. With it:
 * - the "tick every row shown" box in the header (hidden without JS) ticks or clears the page;
 * - the ticks are kept in sessionStorage while the user pages, sorts or filters the list, and
 *   an action sends every ticked id (those on other pages as hidden fields); the bar says how
 *   many are ticked and offers to clear them;
 * - an action button with nothing ticked, or with more than one action takes (data-max), says
 *   so instead of leaving the page; leaving for an action page forgets the stored ticks (its
 *   "change the selection" link ticks them again); an export keeps them.
 * The CSP allows no inline script: this file is loaded with <script src defer>.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-bulk]");
  if (!form) { return; }
  var key = "bulk:" + form.getAttribute("data-bulk");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox][name]"));
  var all = form.querySelector("[data-bulk-all]");
  var count = form.querySelector("[data-bulk-count]");
  var clear = form.querySelector("[data-bulk-clear]");

  function load() {
    try {
      var stored = JSON.parse(window.sessionStorage.getItem(key) || "[]");
      return Array.isArray(stored) ? stored.map(String) : [];
    } catch (error) {
      return [];
    }
  }

  function save(ids) {
    try {
      window.sessionStorage.setItem(key, JSON.stringify(ids));
    } catch (error) { /* private mode: the ticks of this page still work */ }
  }

  var ticked = load();
  // Ticks the server rendered (a link back from an action page) join the stored ones.
  boxes.forEach(function (box) {
    if (box.checked && ticked.indexOf(box.value) < 0) { ticked.push(box.value); }
    if (ticked.indexOf(box.value) >= 0) { box.checked = true; }
  });
  save(ticked);

  function refresh() {
    var shown = boxes.filter(function (box) { return box.checked; }).length;
    if (all) {
      all.checked = shown > 0 && shown === boxes.length;
      all.indeterminate = shown > 0 && shown < boxes.length;
    }
    if (count) {
      var template = count.getAttribute("data-template") || "({n})";
      count.textContent = ticked.length ? template.replace("{n}", String(ticked.length)) : "";
    }
    if (clear) { clear.hidden = ticked.length === 0; }
  }

  function remember(box) {
    var at = ticked.indexOf(box.value);
    if (box.checked && at < 0) { ticked.push(box.value); }
    if (!box.checked && at >= 0) { ticked.splice(at, 1); }
  }

  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      remember(box);
      save(ticked);
      refresh();
    });
  });

  if (all) {
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) {
        box.checked = all.checked;
        remember(box);
      });
      save(ticked);
      refresh();
    });
  }

  if (clear) {
    clear.addEventListener("click", function () {
      ticked = [];
      boxes.forEach(function (box) { box.checked = false; });
      save(ticked);
      refresh();
    });
  }

  form.addEventListener("submit", function (event) {
    Array.prototype.forEach.call(form.querySelectorAll("input[data-bulk-carried]"), function (input) {
      input.parentNode.removeChild(input);
    });
    var onPage = boxes.map(function (box) { return box.value; });
    ticked.forEach(function (id) {
      if (onPage.indexOf(id) >= 0) { return; }
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = boxes.length ? boxes[0].name : "student";
      input.value = id;
      input.setAttribute("data-bulk-carried", "");
      form.appendChild(input);
    });
    if (!ticked.length) {
      event.preventDefault();
      if (count) { count.textContent = form.getAttribute("data-empty") || ""; }
      return;
    }
    var most = parseInt(form.getAttribute("data-max") || "0", 10);
    if (most && ticked.length > most) {  // the ids would not fit in one address
      event.preventDefault();
      if (count) { count.textContent = form.getAttribute("data-too-many") || ""; }
      return;
    }
    // Leaving for an action page: its "change the selection" link brings the ticks back; an
    // export stays here and keeps them.
    if (event.submitter && event.submitter.hasAttribute("data-bulk-leaves")) { save([]); }
  });

  refresh();
}());
