/* Kefu agent assist: refreshes the suggested answers when the customer writes, and inserts a
   chosen answer into the reply box. */
(function () {
  "use strict";

  // Answers arrive rendered and escaped by the server; an answer reaches the reply box only as
  // a textarea value, never as markup.

  var REFRESH_DELAY_MS = 400;
  var timer = null;

  function card() {
    return document.getElementById("assist-card");
  }

  function replyBox() {
    return document.getElementById("reply-body");
  }

  function conversationId() {
    var list = document.getElementById("timeline");
    return list && list.dataset.conversationId ? Number(list.dataset.conversationId) : null;
  }

  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var target = card();
      if (target && window.htmx) {
        window.htmx.trigger(target, "kefu-assist-refresh");
      }
    }, REFRESH_DELAY_MS);
  }

  // kefu-live.js passes on every frame of /ws/agent: a customer's new message in this
  // conversation asks for answers to it.
  document.addEventListener("kefu:frame", function (event) {
    var detail = event.detail || {};
    var frame = detail.frame || {};
    var data = frame.data || {};
    if (frame.type === "message.created" && data.sender_type === "customer" && !data.is_internal &&
        frame.conversation_id === conversationId()) {
      refresh();
    }
  });

  function insert(text) {
    var box = replyBox();
    if (!box || box.disabled) {
      return;
    }
    var start = box.selectionStart;
    var end = box.selectionEnd;
    var before = box.value.slice(0, start);
    // Next to text already typed, the answer starts on its own line.
    var gap = before && !/\s$/.test(before) ? "\n" : "";
    var added = gap + text;
    if (box.maxLength > 0) {
      added = added.slice(0, Math.max(0, box.maxLength - (box.value.length - (end - start))));
    }
    box.value = before + added + box.value.slice(end);
    var caret = start + added.length;
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("#assist-card [data-assist-body]");
    if (button) {
      event.preventDefault();
      insert(button.getAttribute("data-assist-body") || "");
    }
  });
})();
