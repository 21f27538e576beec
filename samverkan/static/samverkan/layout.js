// Layout helpers of every page (base.html), for narrow windows and zoom; the page works without.
// - The main menu is one line that scrolls sideways where it does not fit: show the current item.
// - A date (and its time) is never cut over lines (at its hyphens, in a narrow table column):
//   each is put in a span of the class nowrap (base.css). Templates mark their own with <time>;
//   this covers the rest.
// - A table (or a .table-scroll region) that scrolls sideways can be reached and scrolled with
//   the keyboard: it takes the focus (tabindex 0) while it scrolls, and only then.
(function () {
  "use strict";
  var current = document.querySelector("nav.menu [aria-current=page]");
  var strip = document.querySelector("nav.menu ul");
  if (current && strip && strip.scrollWidth > strip.clientWidth) {
    strip.scrollLeft = current.offsetLeft - (strip.clientWidth - current.offsetWidth) / 2;
  }
  var DATE = /\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?/g;
  var main = document.querySelector("main");
  var texts = main ? document.createTreeWalker(main, NodeFilter.SHOW_TEXT) : null;
  var found = [];
  for (var node = texts && texts.nextNode(); node; node = texts.nextNode()) {
    var parent = node.parentElement;
    if (DATE.test(node.nodeValue) && !parent.closest("time, .nowrap, script, style, textarea, option, select")) {
      found.push(node);
    }
    DATE.lastIndex = 0;
  }
  found.forEach(function (text) {
    var value = text.nodeValue, at = 0, pieces = document.createDocumentFragment(), match;
    while ((match = DATE.exec(value)) !== null) {
      pieces.appendChild(document.createTextNode(value.slice(at, match.index)));
      var date = document.createElement("span");
      date.className = "nowrap";
      date.textContent = match[0];
      pieces.appendChild(date);
      at = match.index + match[0].length;
    }
    pieces.appendChild(document.createTextNode(value.slice(at)));
    text.parentNode.replaceChild(pieces, text);
  });
  function scrollers() {
    var found = document.querySelectorAll("main table, main .table-scroll");
    for (var i = 0; i < found.length; i++) {
      var box = found[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    }
  }
  scrollers();
  var waiting = null;
  window.addEventListener("resize", function () {
    clearTimeout(waiting);
    waiting = setTimeout(scrollers, 100);
  });
})();
