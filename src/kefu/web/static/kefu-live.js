/* Kefu live updates: follows /ws/agent to refresh the open conversation and the list in place. */
(function () {
  "use strict";

  // Messages never become markup here: the server renders them (Jinja, autoescaped) and this
  // file only moves the rendered, inert items into the page, skipping any it already shows.

  var TYPING_SHOWN_MS = 5000;
  var TYPING_SEND_EVERY_MS = 3000;
  var LIST_REFRESH_EVERY_MS = 2000;
  var PANEL_REFRESH_DELAY_MS = 300;
  var BACKOFF_FIRST_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  var STATUS_SHOW_AFTER_MS = 2500;
  var PING_EVERY_MS = 25000;
  var SILENCE_LIMIT_MS = 60000;
  var CLOSE_UNAUTHORIZED = 4401;
  var CLOSE_FORBIDDEN = 4403;

  var status = document.getElementById("live-status");
  if (!status || !("WebSocket" in window)) {
    return;
  }

  var socket = null;
  var connectedBefore = false;
  var attempts = 0;
  var reconnectTimer = null;
  var statusTimer = null;
  var leaving = false;
  var lastHeard = 0;
  var unread = 0;
  var baseTitle = document.title;
  var fresh = {};
  var audio = null;

  // ---- the conversation page -------------------------------------------------------------

  function timeline() {
    return document.getElementById("timeline");
  }

  function conversationId() {
    var list = timeline();
    return list && list.dataset.conversationId ? Number(list.dataset.conversationId) : null;
  }

  function messageId(item) {
    var match = /^message-(\d+)$/.exec(item.id || "");
    return match ? Number(match[1]) : 0;
  }

  function lastShownId() {
    var list = timeline();
    var last = 0;
    if (list) {
      Array.prototype.forEach.call(list.querySelectorAll(".message[id]"), function (item) {
        last = Math.max(last, messageId(item));
      });
    }
    return last;
  }

  function nearBottom(list) {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 160;
  }

  // The reply form asks the server for what follows the last message shown; keep it current so
  // a reply never brings back what arrived live (and dedupe anyway, in case both race).
  function syncReplyAfterId() {
    var form = document.getElementById("reply-form");
    var last = lastShownId();
    if (!form || !last) {
      return;
    }
    var input = form.querySelector("input[name=after_id]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "after_id";
      form.appendChild(input);
    }
    if (Number(input.value || 0) < last) {
      input.value = String(last);
    }
  }

  function dropDuplicates() {
    var list = timeline();
    if (!list) {
      return;
    }
    var seen = {};
    Array.prototype.forEach.call(list.querySelectorAll(".message[id]"), function (item) {
      if (seen[item.id]) {
        item.remove();
      }
      seen[item.id] = true;
    });
  }

  function appendMessages(html) {
    var list = timeline();
    if (!list) {
      return;
    }
    // A parsed document has no browsing context: nothing in it runs or loads.
    var parsed = new DOMParser().parseFromString("<ol>" + html + "</ol>", "text/html");
    var stick = nearBottom(list);
    var added = 0;
    Array.prototype.forEach.call(parsed.querySelectorAll("li.message[id]"), function (item) {
      if (!document.getElementById(item.id)) {
        var node = document.importNode(item, true);
        node.classList.add("is-live");
        list.appendChild(node);
        added += 1;
      }
    });
    if (added) {
      var empty = list.querySelector(".timeline-empty");
      if (empty) {
        empty.remove();
      }
      syncReplyAfterId();
      if (stick) {
        list.scrollTop = list.scrollHeight;
      }
      sendRead();
    }
  }

  var fetching = false;
  var fetchAgain = false;

  // One catch-up at a time; a request made meanwhile runs once the current one is done.
  function catchUp() {
    var list = timeline();
    if (!list) {
      return;
    }
    if (fetching) {
      fetchAgain = true;
      return;
    }
    fetching = true;
    fetchAgain = false;
    var url = list.dataset.messagesUrl + "?after_id=" + lastShownId();
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        var redirect = response.headers.get("HX-Redirect");
        if (redirect && redirect.charAt(0) === "/" && redirect.charAt(1) !== "/") {
          window.location.assign(redirect);
          return null;
        }
        return response.ok ? response.text().then(appendMessages) : null;
      })
      .catch(function () {
        // Offline: the next reconnect catches up again.
      })
      .then(function () {
        fetching = false;
        if (fetchAgain) {
          catchUp();
        }
      });
  }

  var panelTimer = null;

  function panelBusy(panel) {
    var tag = panel.querySelector("input[name=add]");
    return Boolean(panel.querySelector(".htmx-request") || (tag && tag.value));
  }

  function refreshPanel(delay) {
    var list = timeline();
    if (!list || !window.htmx) {
      return;
    }
    clearTimeout(panelTimer);
    panelTimer = setTimeout(function () {
      var panel = document.getElementById("conversation-panel");
      if (!panel) {
        return;
      }
      if (panelBusy(panel)) {
        refreshPanel(1500);
        return;
      }
      window.htmx.ajax("GET", list.dataset.panelUrl, {
        target: "#conversation-panel",
        swap: "outerHTML",
      });
    }, delay);
  }

  // The agent's own clicks already swapped the panel in; refresh only what it does not show.
  function panelShows(data) {
    var panel = document.getElementById("conversation-panel");
    var assignee = data.assignee_id === null || data.assignee_id === undefined ? "" : data.assignee_id;
    return Boolean(panel) && panel.dataset.status === data.status &&
      panel.dataset.priority === data.priority && panel.dataset.assigneeId === String(assignee);
  }

  var typingTimer = null;

  function showTyping(shown) {
    var indicator = document.getElementById("typing-indicator");
    if (!indicator) {
      return;
    }
    clearTimeout(typingTimer);
    indicator.hidden = !shown;
    if (shown) {
      typingTimer = setTimeout(function () {
        indicator.hidden = true;
      }, TYPING_SHOWN_MS);
    }
  }

  var lastReadSent = 0;

  function sendRead() {
    var here = conversationId();
    var last = lastShownId();
    if (here && last > lastReadSent && !document.hidden &&
        send({ type: "read", up_to: last, conversation_id: here })) {
      lastReadSent = last;
    }
  }

  // ---- the conversation list -------------------------------------------------------------

  var listTimer = null;
  var lastListRefresh = 0;

  function refreshList() {
    if (!document.getElementById("conversation-list") || !window.htmx || listTimer) {
      return;
    }
    var wait = Math.max(0, lastListRefresh + LIST_REFRESH_EVERY_MS - Date.now());
    listTimer = setTimeout(function () {
      listTimer = null;
      var filters = document.getElementById("filters");
      if (filters && filters.classList.contains("htmx-request")) {
        refreshList();  // the agent's own filtering wins; refresh after it lands
        return;
      }
      lastListRefresh = Date.now();
      window.htmx.ajax("GET", window.location.pathname + window.location.search, {
        target: "#conversation-list",
        swap: "outerHTML",
      });
    }, wait);
  }

  function markFresh() {
    var list = document.getElementById("conversation-list");
    if (!list) {
      return;
    }
    Array.prototype.forEach.call(list.querySelectorAll(".conv-row[data-conversation-id]"),
      function (row) {
        row.classList.toggle("is-fresh", Boolean(fresh[row.dataset.conversationId]));
      });
  }

  // ---- attention: title, sound, desktop notification -------------------------------------

  function showUnread() {
    document.title = unread ? "(" + unread + ") " + baseTitle : baseTitle;
  }

  function primeAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      try {
        audio = new Context();
      } catch (error) {
        audio = null;
      }
    }
  }

  // The agent's mute switch (kefu-workspace.js keeps it), shared by every tab of the browser.
  function muted() {
    try {
      return window.localStorage.getItem("kefu-muted") === "1";
    } catch (error) {
      return false;
    }
  }

  // Two short sine notes, made here rather than fetched: no audio files to host or trust.
  function chime() {
    if (!audio || muted()) {
      return;
    }
    if (audio.state === "suspended") {
      audio.resume();
    }
    var start = audio.currentTime + 0.01;
    [880, 1318.5].forEach(function (frequency, index) {
      var at = start + index * 0.14;
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.type = "sine";
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.12, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.16);
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start(at);
      tone.stop(at + 0.18);
    });
  }

  function notify(frame) {
    if (!("Notification" in window) || Notification.permission !== "granted") {
      return;
    }
    var id = frame.conversation_id;
    var body = String((frame.data && frame.data.body) || "").slice(0, 120);
    try {
      var note = new Notification(status.dataset.notifyTitle.replace("{id}", String(id)), {
        body: body || status.dataset.notifyNote,
        tag: "kefu-conversation-" + id,
      });
      note.onclick = function () {
        window.focus();
        window.location.assign("/conversations/" + Number(id));
        note.close();
      };
    } catch (error) {
      // Some browsers allow notifications only from a service worker; the title still counts.
    }
  }

  function alertAgent(frame, here) {
    if (!document.hidden) {
      if (!here) {
        chime();  // a chat the agent is not looking at: a sound, no more
      }
      return;
    }
    unread += 1;
    showUnread();
    chime();
    notify(frame);
  }

  function setUpNotifyButton() {
    var button = document.getElementById("notify-enable");
    if (!button || !("Notification" in window) || Notification.permission !== "default") {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      primeAudio();
      Notification.requestPermission().then(function (answer) {
        button.hidden = answer !== "default";
      });
    });
  }

  // ---- events ----------------------------------------------------------------------------

  function onMessage(frame, here) {
    var data = frame.data || {};
    var fromCustomer = data.sender_type === "customer" && !data.is_internal;
    if (here) {
      if (fromCustomer) {
        showTyping(false);
      }
      if (!document.getElementById("message-" + Number(data.id))) {
        catchUp();
      }
      var panel = document.getElementById("conversation-panel");
      if (fromCustomer && panel && panel.dataset.status !== "open") {
        refreshPanel(PANEL_REFRESH_DELAY_MS);  // a customer's message reopens the conversation
      }
    } else if (fromCustomer) {
      fresh[String(frame.conversation_id)] = true;
      markFresh();
    }
    refreshList();
    if (fromCustomer) {
      alertAgent(frame, here);
    }
  }

  function onFrame(frame) {
    var here = frame.conversation_id !== null && frame.conversation_id === conversationId();
    var data = frame.data || {};
    // Other scripts (the open-conversation tabs) follow the same events without a second socket.
    document.dispatchEvent(new CustomEvent("kefu:frame", { detail: { frame: frame, here: here } }));
    if (frame.type === "welcome") {
      onConnected();
    } else if (frame.type === "message.created") {
      onMessage(frame, here);
    } else if (frame.type === "conversation.updated") {
      if (here && (data.change === "tags" || !panelShows(data))) {
        refreshPanel(PANEL_REFRESH_DELAY_MS);
      }
      refreshList();
    } else if (frame.type === "typing" && here && data.by === "customer") {
      showTyping(true);
    }
  }

  // ---- the connection --------------------------------------------------------------------

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function showStatusSoon() {
    if (statusTimer === null) {
      statusTimer = setTimeout(function () {
        status.hidden = false;
      }, STATUS_SHOW_AFTER_MS);
    }
  }

  function onConnected() {
    attempts = 0;
    clearTimeout(statusTimer);
    statusTimer = null;
    status.hidden = true;
    // Whatever happened while the socket was down (or before it first opened) is fetched now.
    catchUp();
    if (connectedBefore) {
      if (timeline()) {
        refreshPanel(0);
      }
      refreshList();
    }
    connectedBefore = true;
    sendRead();
  }

  function scheduleReconnect() {
    if (leaving || reconnectTimer !== null) {
      return;
    }
    showStatusSoon();
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, attempts));
    attempts += 1;
    // Jitter: a restarted server is not met by every agent's browser in the same millisecond.
    var delay = ceiling / 2 + Math.random() * ceiling / 2;
    reconnectTimer = setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws;
    try {
      ws = new WebSocket(scheme + window.location.host + status.dataset.url);
    } catch (error) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    lastHeard = Date.now();
    ws.onmessage = function (message) {
      lastHeard = Date.now();
      var frame;
      try {
        frame = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (frame && typeof frame === "object") {
        onFrame(frame);
      }
    };
    ws.onclose = function (event) {
      if (socket !== ws) {
        return;
      }
      socket = null;
      if (event.code === CLOSE_UNAUTHORIZED || event.code === CLOSE_FORBIDDEN) {
        return;  // logged out: the next page or action goes to the login page
      }
      scheduleReconnect();
    };
  }

  // A connection can die without a close (sleeping laptop, proxy): ping, and drop it when silent.
  setInterval(function () {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return;
    }
    if (Date.now() - lastHeard > SILENCE_LIMIT_MS) {
      socket.close();
      return;
    }
    send({ type: "ping" });
  }, PING_EVERY_MS);

  window.addEventListener("online", function () {
    if (reconnectTimer !== null) {
      clearTimeout(reconnectTimer);
      reconnectTimer = null;
      attempts = 0;
      connect();
    }
  });

  window.addEventListener("pagehide", function () {
    leaving = true;
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      leaving = false;
      if (!socket) {
        connect();
      }
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      unread = 0;
      showUnread();
      sendRead();
    }
  });

  // Browsers let a page make sound only after the user has interacted with it.
  document.addEventListener("pointerdown", primeAudio, { once: true });
  document.addEventListener("keydown", primeAudio, { once: true });

  // Tell the customer the agent is typing, at most every few seconds, and never for a note.
  var lastTypingSent = 0;
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || box.id !== "reply-body" || !box.value) {
      return;
    }
    var internal = box.form && box.form.querySelector("input[name=internal]");
    if (internal && (internal.type === "hidden" || internal.checked)) {
      return;
    }
    var now = Date.now();
    if (now - lastTypingSent >= TYPING_SEND_EVERY_MS &&
        send({ type: "typing", conversation_id: conversationId() })) {
      lastTypingSent = now;
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    dropDuplicates();
    syncReplyAfterId();
    markFresh();
  });

  setUpNotifyButton();
  connect();
})();
