// Drafts that survive a lost connection, and retries that never duplicate.
//
// A form with data-draft="<name>" is saved to localStorage as the user types. On
// submit the entry is sent with fetch() and an Idempotency-Key made here once per
// entry: a retry after a lost connection sends the same key, so the server applies
// the entry at most once. The draft is deleted only after the server has answered.
(function () {
  "use strict";
  var PREFIX = "beacon-draft:";

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function storageKey(form) { return PREFIX + form.getAttribute("data-draft"); }

  function load(form) {
    try { return JSON.parse(window.localStorage.getItem(storageKey(form)) || "null"); }
    catch (e) { return null; }
  }

  function fieldsOf(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      values[el.name] = el.value;
    });
    return values;
  }

  function save(form, extra) {
    var draft = load(form) || {};
    draft.fields = fieldsOf(form);
    draft.savedAt = new Date().toISOString();
    if (extra) { Object.keys(extra).forEach(function (k) { draft[k] = extra[k]; }); }
    window.localStorage.setItem(storageKey(form), JSON.stringify(draft));
    return draft;
  }

  function say(form, key) {
    var out = form.querySelector(".draft-status");
    if (out) { out.textContent = form.getAttribute("data-msg-" + key) || ""; }
  }

  function restore(form) {
    var draft = load(form);
    if (!draft || !draft.fields) { return; }
    Object.keys(draft.fields).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (!el) { return; }
      if (el.type === "checkbox") { el.checked = true; } else { el.value = draft.fields[name]; }
    });
    say(form, draft.pending ? "pending" : "restored");
    if (draft.pending) { send(form, 0); }
  }

  function replaceForm(form, html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById(form.id);
    if (fresh) {
      form.innerHTML = fresh.innerHTML;
      var invalid = form.querySelector("[aria-invalid='true']");
      if (invalid) { invalid.focus(); }
    }
  }

  function send(form, attempt) {
    var draft = load(form) || save(form);
    if (!draft.idempotencyKey) { draft = save(form, { idempotencyKey: newKey() }); }
    save(form, { pending: true });
    say(form, "sending");
    var body = new FormData();
    Object.keys(draft.fields).forEach(function (k) { body.append(k, draft.fields[k]); });
    var csrf = form.elements.namedItem("csrfmiddlewaretoken");
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {
        "Idempotency-Key": draft.idempotencyKey,
        "X-CSRFToken": csrf ? csrf.value : "",
        "X-Requested-With": "fetch"
      }
    }).then(function (response) {
      if (response.status === 422) {
        // Answered and not applied: the corrected entry is a new request, with a new key.
        save(form, { pending: false, idempotencyKey: null });
        return response.text().then(function (html) { replaceForm(form, html); restoreValues(form); say(form, "invalid"); });
      }
      if (!response.ok) {
        save(form, { pending: false, idempotencyKey: null });
        say(form, "failed");
        return null;
      }
      window.localStorage.removeItem(storageKey(form));
      window.location.assign(response.headers.get("Location") || response.url);
      return null;
    }).catch(function () {
      say(form, "offline");
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt));
      window.setTimeout(function () { send(form, attempt + 1); }, delay);
    });
  }

  function restoreValues(form) {
    var draft = load(form);
    if (!draft || !draft.fields) { return; }
    Object.keys(draft.fields).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (el && el.type !== "checkbox" && el.type !== "hidden") { el.value = draft.fields[name]; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
      restore(form);
      form.addEventListener("input", function () {
        // Keep any key already sent: the server may have applied that attempt.
        save(form);
        say(form, "saved");
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        send(form, 0);
      });
    });
    window.addEventListener("online", function () {
      Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
        var draft = load(form);
        if (draft && draft.pending) { send(form, 0); }
      });
    });
  });
})();
