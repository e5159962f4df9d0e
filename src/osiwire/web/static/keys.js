/* osiwire keyboard shortcuts: j/k next/previous hit, o or Enter open it, / search.
   Everything works without this file: it only moves focus and follows links that are already there. */
(function () {
  "use strict";

  function hits() {
    return Array.prototype.slice.call(document.querySelectorAll("ol.hits > li.hit"));
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function current(list) {
    var active = document.activeElement;
    for (var i = 0; i < list.length; i++) {
      if (list[i] === active || list[i].contains(active)) return i;
    }
    return -1;
  }

  function select(list, index) {
    var hit = list[Math.max(0, Math.min(index, list.length - 1))];
    if (!hit) return;
    hit.setAttribute("tabindex", "-1");
    hit.focus();
    hit.scrollIntoView({ block: "nearest" });
  }

  function open(list) {
    var index = current(list);
    var link = index >= 0 ? list[index].querySelector(".hit-title a") : null;
    if (link) window.location.assign(link.href);
    return Boolean(link);
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    var list = hits();
    var index = current(list);
    switch (event.key) {
      case "j":
        select(list, index + 1);
        break;
      case "k":
        select(list, index < 0 ? 0 : index - 1);
        break;
      case "o":
        if (!open(list)) return;
        break;
      case "Enter":
        // On a link, Enter already follows it; on a focused hit it opens the hit.
        if (index < 0 || document.activeElement !== list[index] || !open(list)) return;
        break;
      case "/":
        var search = document.getElementById("q");
        if (search) {
          search.focus();
          search.select();
        } else {
          var home = document.querySelector("a.brand");
          if (!home) return;
          window.location.assign(home.href + "#q");
        }
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // Arriving from "/" on a page without a search box: put the cursor in the front page's.
  if (window.location.hash === "#q") {
    var box = document.getElementById("q");
    if (box) box.focus();
  }
})();
