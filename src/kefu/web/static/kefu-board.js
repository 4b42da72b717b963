/* Kefu live board: hold the 5-second refresh while a supervisor is using a reassign form. */
(function () {
  "use strict";

  // A poll would replace the form under the supervisor's hand (and close an open list).
  function busy() {
    var active = document.activeElement;
    if (active && active.closest && active.closest(".board-assign")) {
      return true;
    }
    return Array.prototype.some.call(
      document.querySelectorAll(".board-assign select"),
      function (select) { return select.value !== ""; }
    );
  }

  document.addEventListener("htmx:confirm", function (event) {
    var target = event.target;
    if (target && target.id === "board-live" && event.detail.verb === "get" && busy()) {
      event.preventDefault();
    }
  });
})();
