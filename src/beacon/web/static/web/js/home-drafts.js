// "My drafts on this device" on the home page: lists the event forms that
// web/js/drafts.js keeps in this browser (localStorage keys "beacon-draft:<operation>:<kind>").
// Only the keys are read here, never the drafts' contents, so the list works
// whatever the stored form of a draft is.
(function () {
  "use strict";
  var PREFIX = "beacon-draft:";

  document.addEventListener("DOMContentLoaded", function () {
    var region = document.getElementById("my-drafts");
    var kindsData = document.getElementById("draft-kinds");
    if (!region || !kindsData) { return; }
    var kinds = JSON.parse(kindsData.textContent || "{}");
    var template = region.getAttribute("data-event-url") || "";
    var list = region.querySelector(".drafts-list");
    var none = region.querySelector(".drafts-none");
    var found = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) { found.push(key.slice(PREFIX.length)); }
      }
    } catch (e) { return; }
    found.sort();
    found.forEach(function (name) {
      var cut = name.lastIndexOf(":");
      if (cut < 1) { return; }
      var code = name.slice(0, cut);
      var kind = name.slice(cut + 1);
      if (!Object.prototype.hasOwnProperty.call(kinds, kind)) { return; }
      var link = document.createElement("a");
      link.href = template.replace("CODE", encodeURIComponent(code)).replace("KIND", encodeURIComponent(kind));
      link.textContent = kinds[kind] + " · " + code;
      var item = document.createElement("li");
      item.appendChild(link);
      list.appendChild(item);
    });
    if (list.children.length) {
      list.hidden = false;
      if (none) { none.hidden = true; }
    }
  });
})();
