// Drafts that survive a lost connection, and retries that never duplicate.
//
// A form with data-draft="<name>" is saved on the device as the user types. On
// submit the entry is sent with fetch() and an Idempotency-Key made here once per
// entry: a retry after a lost connection sends the same key, so the server applies
// the entry at most once. The draft is deleted only after the server has answered.
//
// Drafts hold victims' names, so they are never stored in clear: each is sealed with
// AES-GCM (WebCrypto) under the session's draft key, which the server keeps in the
// session and gives the page (<body data-draft-key>); it is imported non-extractable.
// Signing out (or the session ending in any way) destroys that key on the server, so a
// draft left on the device can no longer be read; a draft that does not open with the
// current key is deleted. Without WebCrypto (a page not served from a secure context)
// drafts live in memory only. The sign-out button also wipes them (beacon.js).
(function () {
  "use strict";
  var PREFIX = "beacon-draft:";
  var cache = {};          // storage key -> the draft, in clear, in this page only
  var writes = {};         // storage key -> the pending write (kept in order)
  var cryptoKey = null;    // the session's draft key (non-extractable), or null
  var sending = {};        // storage key -> true while a send is in flight
  var retries = {};        // storage key -> the timer of the next retry
  var sent = {};           // storage key -> true once the server applied the entry

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function toBase64(bytes) {
    var text = "";
    new Uint8Array(bytes).forEach(function (b) { text += String.fromCharCode(b); });
    return window.btoa(text);
  }

  function fromBase64(text) {
    var raw = window.atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function importKey() {
    var given = document.body.getAttribute("data-draft-key");
    var subtle = window.crypto && window.crypto.subtle;
    if (!given || !subtle) { return Promise.resolve(null); }
    return subtle.importKey("raw", fromBase64(given), { name: "AES-GCM" }, false, ["encrypt", "decrypt"])
      .catch(function () { return null; });
  }

  function seal(name, draft) {
    var iv = window.crypto.getRandomValues(new Uint8Array(12));
    var plain = new TextEncoder().encode(JSON.stringify(draft));
    var aad = new TextEncoder().encode(name);
    return window.crypto.subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: aad }, cryptoKey, plain)
      .then(function (sealed) { return JSON.stringify({ v: 1, iv: toBase64(iv), ct: toBase64(sealed) }); });
  }

  function open(name, stored) {
    var box = JSON.parse(stored);
    if (!box || box.v !== 1) { return Promise.reject(new Error("not a sealed draft")); }
    var aad = new TextEncoder().encode(name);
    return window.crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(box.iv), additionalData: aad }, cryptoKey, fromBase64(box.ct)
    ).then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  function storageKey(form) { return PREFIX + form.getAttribute("data-draft"); }

  function persist(name) {
    if (!cryptoKey) { return; }  // memory only: nothing in clear on the device, ever
    var draft = cache[name];
    var previous = writes[name] || Promise.resolve();
    writes[name] = previous.then(function () {
      if (!draft) { window.localStorage.removeItem(name); return null; }
      return seal(name, draft).then(function (text) {
        if (cache[name] === draft) { window.localStorage.setItem(name, text); }
      });
    }).catch(function () { return null; });
  }

  function readStored(name) {
    var stored = window.localStorage.getItem(name);
    if (!stored) { return Promise.resolve(null); }
    if (!cryptoKey) { window.localStorage.removeItem(name); return Promise.resolve(null); }
    return open(name, stored).catch(function () {
      window.localStorage.removeItem(name);  // another session's draft (or in clear): gone
      return null;
    });
  }

  function load(form) { return cache[storageKey(form)] || null; }

  function drop(form) {
    var name = storageKey(form);
    delete cache[name];
    window.localStorage.removeItem(name);
    persist(name);
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
    var name = storageKey(form);
    var draft = {};
    var before = cache[name] || {};
    Object.keys(before).forEach(function (k) { draft[k] = before[k]; });
    draft.fields = fieldsOf(form);
    draft.savedAt = new Date().toISOString();
    if (extra) { Object.keys(extra).forEach(function (k) { draft[k] = extra[k]; }); }
    cache[name] = draft;
    persist(name);
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
    // One send at a time per form (a retry timer and the "online" event may both fire),
    // and none after the entry was applied: a late one would store the draft again.
    var name = storageKey(form);
    if (sending[name] || sent[name]) { return; }
    if (retries[name]) { window.clearTimeout(retries[name]); delete retries[name]; }
    sending[name] = true;
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
      sending[name] = false;
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
      sent[name] = true;
      drop(form);
      var next = response.headers.get("Location") || response.url;
      return (writes[storageKey(form)] || Promise.resolve()).then(function () { window.location.assign(next); });
    }).catch(function () {
      sending[name] = false;
      say(form, "offline");
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt));
      retries[name] = window.setTimeout(function () { send(form, attempt + 1); }, delay);
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

  function start(form) {
    restore(form);
    form.addEventListener("input", function () {
      if (sent[storageKey(form)]) { return; }
      // Keep any key already sent: the server may have applied that attempt.
      save(form);
      say(form, "saved");
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(form, 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-draft]"));
    importKey().then(function (key) {
      cryptoKey = key;
      return Promise.all(forms.map(function (form) {
        var name = storageKey(form);
        return readStored(name).then(function (draft) { if (draft) { cache[name] = draft; } });
      }));
    }).then(function () {
      forms.forEach(start);
      document.documentElement.setAttribute("data-drafts-ready", "");
    });
    window.addEventListener("online", function () {
      forms.forEach(function (form) {
        var draft = load(form);
        if (draft && draft.pending) { send(form, 0); }
      });
    });
  });
})();
