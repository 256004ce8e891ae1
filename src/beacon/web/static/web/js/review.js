// Intake review from the keyboard: a letter presses the control marked data-key="<letter>".
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target || {};
    var typing = (target.tagName === "INPUT" && target.type !== "checkbox") ||
      target.tagName === "TEXTAREA" || target.tagName === "SELECT";
    if (typing) { return; }
    var control = document.querySelector("[data-key='" + event.key.toLowerCase() + "']");
    if (control) {
      event.preventDefault();
      control.click();
    }
  });
})();
