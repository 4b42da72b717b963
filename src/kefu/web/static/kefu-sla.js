/* Kefu SLA alerts: on sla.warning / sla.breach from /ws/agent (passed on by kefu-live.js as
   kefu:frame), a notice in the corner, a mark on the conversation's inbox row and, on the
   conversation's own page, a fresh SLA card. */
(function () {
  "use strict";

  // Event data never becomes markup: the notice is built from elements and textContent, its
  // texts come from the page (rendered and escaped by the server), ids are checked numbers.

  var WARNING_SHOWN_MS = 20000;
  var BREACH_SHOWN_MS = 60000;
  var MAX_NOTICES = 4;
  var METRICS = ["first_response", "next_response", "resolution", "feedback"];

  var box = document.getElementById("sla-notices");
  if (!box) {
    return;
  }

  // conversation id -> "warning" | "breach", so a list refresh keeps the marks.
  var marked = {};

  function metricName(metric) {
    if (METRICS.indexOf(metric) < 0) {
      return "";
    }
    return box.getAttribute("data-metric-" + metric.replace(/_/g, "-")) || "";
  }

  function markRows() {
    var rows = document.querySelectorAll("#conversation-list .conv-row[data-conversation-id]");
    Array.prototype.forEach.call(rows, function (row) {
      var kind = marked[row.dataset.conversationId];
      row.classList.toggle("sla-warned", kind === "warning");
      row.classList.toggle("sla-breached", kind === "breach");
    });
  }

  function dismiss(notice) {
    if (notice.parentNode) {
      notice.parentNode.removeChild(notice);
    }
  }

  function showNotice(kind, id, metric) {
    var template = kind === "breach" ? box.dataset.breach : box.dataset.warning;
    var notice = document.createElement("div");
    notice.className = "sla-notice sla-notice-" + kind;
    if (kind === "breach") {
      notice.setAttribute("role", "alert");
    }
    var text = document.createElement("span");
    text.className = "sla-notice-text";
    text.textContent = String(template || "").replace("{id}", String(id))
      .replace("{metric}", metricName(metric));
    var open = document.createElement("a");
    open.className = "button small";
    open.href = "/conversations/" + id;
    open.textContent = box.dataset.open || "";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button small ghost sla-notice-close";
    close.setAttribute("aria-label", box.dataset.dismiss || "");
    close.textContent = "×";
    close.addEventListener("click", function () {
      dismiss(notice);
    });
    notice.appendChild(text);
    notice.appendChild(open);
    notice.appendChild(close);
    box.appendChild(notice);
    while (box.children.length > MAX_NOTICES) {
      box.removeChild(box.firstChild);  // the oldest goes first
    }
    setTimeout(function () {
      dismiss(notice);
    }, kind === "breach" ? BREACH_SHOWN_MS : WARNING_SHOWN_MS);
  }

  function refreshCard() {
    var card = document.getElementById("sla-card");
    if (card && window.htmx && card.dataset.url) {
      window.htmx.ajax("GET", card.dataset.url, { target: "#sla-card", swap: "outerHTML" });
    }
  }

  document.addEventListener("kefu:frame", function (event) {
    var detail = event.detail || {};
    var frame = detail.frame || {};
    if (frame.type !== "sla.warning" && frame.type !== "sla.breach") {
      return;
    }
    var id = Number(frame.conversation_id);
    if (!(id > 0) || Math.floor(id) !== id) {
      return;
    }
    var kind = frame.type === "sla.breach" ? "breach" : "warning";
    if (marked[id] !== "breach") {
      marked[id] = kind;
    }
    markRows();
    showNotice(kind, id, String((frame.data || {}).metric || ""));
    if (detail.here) {
      refreshCard();
    }
  });

  document.addEventListener("htmx:afterSwap", markRows);
})();
