/* Kefu agent UI: small conveniences on top of htmx. Every page also works without this file. */
(function () {
  "use strict";

  function scrollTimelineToEnd() {
    var timeline = document.getElementById("timeline");
    if (timeline) {
      timeline.scrollTop = timeline.scrollHeight;
    }
  }

  document.addEventListener("DOMContentLoaded", scrollTimelineToEnd);

  document.addEventListener("htmx:afterSettle", function (event) {
    var id = event.target && event.target.id;
    if (id === "timeline" || id === "reply-form") {
      scrollTimelineToEnd();
    }
  });

  // A new request replaces whatever the last one complained about.
  document.addEventListener("htmx:beforeRequest", function () {
    var flash = document.getElementById("flash");
    if (flash) {
      flash.textContent = "";
    }
  });

  // Ctrl+Enter (Cmd+Enter on a Mac) sends the reply.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) &&
        target instanceof HTMLTextAreaElement && target.id === "reply-body" && target.form) {
      event.preventDefault();
      target.form.requestSubmit();
    }
  });

  // The nav's settings menu closes on a click elsewhere and on Escape.
  function closeMenus(except) {
    Array.prototype.forEach.call(document.querySelectorAll("details.nav-group[open]"),
      function (group) {
        if (group !== except) {
          group.open = false;
        }
      });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeMenus(null);
    }
  });

  document.addEventListener("click", function (event) {
    closeMenus(event.target instanceof Element ? event.target.closest("details.nav-group") : null);
    var close = event.target instanceof Element && event.target.closest("[data-dismiss=flash]");
    if (close) {
      event.preventDefault();
      close.closest(".flash").remove();
    }
  });
})();
