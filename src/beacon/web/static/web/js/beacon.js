// Beacon's page behaviour. No inline scripts anywhere (CSP): everything is here.
(function () {
  "use strict";

  // Confirm dangerous actions: <form data-confirm="Are you sure?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Selects that submit their form when changed: <select data-autosubmit>.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });

  // Signing out wipes the field drafts kept on this device (drafts.js); the server
  // destroys the session's draft key, so a copy left anywhere cannot be read either.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-sign-out") || event.defaultPrevented) { return; }
    try {
      Object.keys(window.localStorage).forEach(function (name) {
        if (name.indexOf("beacon-draft:") === 0) { window.localStorage.removeItem(name); }
      });
    } catch (e) { /* storage disabled: nothing kept */ }
  });

  // Move focus to the first field with an error after a failed submission.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); }
  });
})();
