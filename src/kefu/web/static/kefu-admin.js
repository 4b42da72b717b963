/* Kefu admin pages: copy buttons for addresses, snippets and secrets shown once. The values are
   in read-only fields, so without this file they are selected and copied by hand. */
(function () {
  "use strict";

  function show(root) {
    root.querySelectorAll("[data-copy][hidden]").forEach(function (button) {
      if (navigator.clipboard) {
        button.hidden = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    show(document);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target instanceof Element) {
      show(event.target);
    }
  });

  // Clicking into a value selects all of it, ready for Ctrl+C.
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field instanceof HTMLElement && field.closest(".copy-field") && field.select) {
      field.select();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) {
      return;
    }
    navigator.clipboard.writeText(field.value).then(function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied");
      window.setTimeout(function () {
        button.textContent = label;
      }, 1500);
    });
  });
})();
