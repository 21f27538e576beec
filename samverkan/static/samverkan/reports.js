// The committee report's editor (reports/detail.html). Without this script the page works as a
// form: "Förhandsgranska" posts the texts into the preview frame, "Spara texterna" saves them.
// With it, the preview follows the typing, and leaving with unsaved texts asks first.
(function () {
  "use strict";
  var form = document.getElementById("report-texts");
  var frame = document.getElementById("report-preview-frame");
  if (!form || !frame) return;
  var status = document.getElementById("report-status");
  var previewButton = form.querySelector("button[value=preview]");
  var unsaved = form.dataset.unsaved === "true";
  var saving = false;
  var timer = null;
  var lastSection = null;
  var keepScroll = null;
  var messages = {
    unsaved: document.documentElement.lang === "en" ? "Changes not saved yet." : "Ändringar som inte är sparade.",
    updating: document.documentElement.lang === "en" ? "Updating the preview…" : "Förhandsgranskningen uppdateras …",
    updated: document.documentElement.lang === "en" ? "The preview shows your changes (not saved yet)." : "Förhandsgranskningen visar dina ändringar (inte sparade än)."
  };

  function say(text) {
    if (status) status.textContent = text;
  }

  function preview() {
    timer = null;
    try {
      keepScroll = frame.contentWindow ? frame.contentWindow.scrollY : null;
    } catch (error) {
      keepScroll = null;
    }
    say(messages.updating);
    if (form.requestSubmit) {
      form.requestSubmit(previewButton);
    } else {
      previewButton.click();
    }
  }

  form.addEventListener("input", function (event) {
    if (event.target && event.target.name === "disclosure") return;  // not a text: see "change"
    unsaved = true;
    if (event.target && event.target.dataset && event.target.dataset.section) {
      lastSection = event.target.dataset.section;
    }
    say(messages.unsaved);
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(preview, 800);
  });
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "disclosure") preview();
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (!submitter || submitter.value === "save") {
      saving = true;  // leaving for the saved page: no warning
    }
  });

  frame.addEventListener("load", function () {
    var page;
    try {
      page = frame.contentDocument;
    } catch (error) {
      return;
    }
    if (!page) return;
    if (lastSection) {
      var target = page.getElementById("text-" + lastSection);
      if (target) target.scrollIntoView();
    } else if (keepScroll !== null) {
      frame.contentWindow.scrollTo(0, keepScroll);
    }
    if (unsaved) say(messages.updated);
  });

  window.addEventListener("beforeunload", function (event) {
    if (unsaved && !saving) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
