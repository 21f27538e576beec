// The supervisor's page follows the chat by itself: server-sent events (`live`) bring the HTML
// of its live part and a short summary, read out politely by screen readers only when it
// changes (WCAG 4.1.3). Without JavaScript the "Update" link reloads the page.
(function () {
  "use strict";
  var note = document.getElementById("live-note");
  var live = document.getElementById("live");
  var summary = document.getElementById("live-summary");
  if (!note || !live || !window.EventSource) {
    return;
  }
  var lastSummary = null;
  var source = new EventSource(note.getAttribute("data-events"));
  source.addEventListener("live", function (event) {
    var data = JSON.parse(event.data);
    // Server-rendered and escaped by Django's templates: no text of anyone's is in it.
    live.innerHTML = data.html;
    if (lastSummary !== null && data.summary !== lastSummary) {
      summary.textContent = data.summary;
    }
    lastSummary = data.summary;
    live.setAttribute("data-updated", String(Date.now()));
  });
})();
