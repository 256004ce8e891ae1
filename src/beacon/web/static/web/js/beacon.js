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

  // Busy state: <form data-busy="Saving…">. The tapped button says so and every button of
  // the form is disabled until the answer comes (a second tap cannot send it twice; the
  // form's idempotency key would make the server ignore it anyway).
  function busy(form, submitter) {
    var label = form.getAttribute("data-busy");
    form.setAttribute("aria-busy", "true");
    if (submitter && label) {
      submitter.setAttribute("data-label", submitter.innerHTML);
      submitter.textContent = label;
    }
    // Disabled after this turn: the tapped button's value still goes with the form.
    window.setTimeout(function () {
      Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
    }, 0);
  }
  function idle(form) {
    form.removeAttribute("aria-busy");
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) {
      b.disabled = false;
      var label = b.getAttribute("data-label");
      if (label !== null) { b.innerHTML = label; b.removeAttribute("data-label"); }
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-busy")) { return; }
    if (form.getAttribute("aria-busy") === "true") {  // already on its way
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    busy(form, event.submitter || document.activeElement);
  }, true);
  // htmx: a failed request (network, server) gives the buttons back.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (form && form.hasAttribute && form.hasAttribute("data-busy") && !event.detail.successful) {
      idle(form);
    }
  });

  // Undo window: <form data-undo-seconds="10"> counts down, then goes away.
  function countDown(root) {
    Array.prototype.forEach.call(root.querySelectorAll("form[data-undo-seconds]"), function (form) {
      if (form.getAttribute("data-counting")) { return; }
      form.setAttribute("data-counting", "1");
      var left = parseInt(form.getAttribute("data-undo-seconds"), 10) || 0;
      var shown = form.querySelector(".undo-left");
      var timer = window.setInterval(function () {
        left -= 1;
        if (shown) { shown.textContent = String(Math.max(left, 0)); }
        if (left <= 0) {
          window.clearInterval(timer);
          if (form.getAttribute("aria-busy") !== "true" && form.parentNode) {
            form.parentNode.removeChild(form);
          }
        }
      }, 1000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { countDown(document); });
  document.addEventListener("htmx:load", function (event) { countDown(event.target || document); });

  // Move focus to the first field with an error after a failed submission.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); }
  });
})();
