// The menu button of a phone-wide page: shows and hides the side menu (#site-menu).
// Without this script the button stays hidden and the menu stays open.
(function () {
  "use strict";
  var button = document.querySelector(".menu-button");
  var panel = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!panel) { return; }
  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    panel.classList.toggle("is-closed", !open);
  }
  setOpen(false);
  button.hidden = false;
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();
