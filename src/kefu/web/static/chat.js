/* Kefu customer chat: talks to /ws/chat/<shop>, keeps the timeline whole across reconnects. */
(function () {
  "use strict";

  // Every text from the server or the visitor reaches the page through textContent or a
  // property (img.src, a.href after a same-origin check), never through markup.

  var BACKOFF_FIRST_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  var CONNECTION_SHOW_AFTER_MS = 2000;
  var PING_EVERY_MS = 25000;
  var SILENCE_LIMIT_MS = 60000;
  var TYPING_SEND_EVERY_MS = 3000;
  var TYPING_SHOWN_MS = 6000;
  var FAILED_CONNECTS_BEFORE_FORM = 3;
  var CLOSE_UNAUTHORIZED = 4401;
  var CLOSE_NOT_FOUND = 4404;

  var root = document.getElementById("chat");
  var configNode = document.getElementById("chat-config");
  if (!root || !configNode) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var text = config.text;
  var timeline = document.getElementById("chat-timeline");
  var presenceNode = document.getElementById("chat-presence");
  var queueNode = document.getElementById("chat-queue");
  var connectionNode = document.getElementById("chat-connection");
  var typingNode = document.getElementById("chat-typing");
  var noticeNode = document.getElementById("chat-notice");
  var composer = document.getElementById("chat-composer");
  var input = document.getElementById("chat-input");
  var leaveForm = document.getElementById("chat-leave");
  var leaveError = document.getElementById("chat-leave-error");

  // ---- storage: the visitor token, per shop ------------------------------------------------

  var storageKey = "kefu.visitor." + config.shop;
  var memoryToken = "";

  function loadToken() {
    try {
      return window.localStorage.getItem(storageKey) || "";
    } catch (error) {
      return memoryToken;  // storage blocked (private mode, third-party frame): this page only
    }
  }

  function saveToken(token) {
    if (typeof token !== "string" || !token) {
      return;
    }
    memoryToken = token;
    try {
      window.localStorage.setItem(storageKey, token);
    } catch (error) {
      // kept in memory
    }
  }

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }

  // ---- the timeline --------------------------------------------------------------------------

  var pending = [];  // unacknowledged sends, oldest first: {clientId, body, item}
  var lastReadSent = 0;
  var agentReadUpTo = 0;
  var widgetOpen = !config.embed;  // the widget says when its frame is shown
  var unread = 0;

  function shownIds() {
    return Array.prototype.map.call(timeline.querySelectorAll(".chat-msg[data-id]"), function (item) {
      return Number(item.dataset.id);
    });
  }

  function lastId() {
    return shownIds().reduce(function (a, b) {
      return Math.max(a, b);
    }, 0);
  }

  function findMessage(id) {
    return timeline.querySelector('.chat-msg[data-id="' + Number(id) + '"]');
  }

  function nearBottom() {
    return timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 120;
  }

  function scrollDown() {
    timeline.scrollTop = timeline.scrollHeight;
  }

  function clockTime(iso) {
    var moment = iso ? new Date(iso) : new Date();
    if (isNaN(moment.getTime())) {
      return "";
    }
    return moment.toLocaleTimeString(config.locale === "zh" ? "zh-CN" : "en", {
      hour: "2-digit",
      minute: "2-digit",
    });
  }

  function sameOriginUrl(raw) {
    try {
      var url = new URL(String(raw), window.location.href);
      return url.origin === window.location.origin ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function humanSize(bytes) {
    var size = Number(bytes) || 0;
    if (size < 1024) {
      return size + " B";
    }
    if (size < 1024 * 1024) {
      return Math.max(1, Math.round(size / 1024)) + " KB";
    }
    return (size / 1024 / 1024).toFixed(1) + " MB";
  }

  function hasAttachments(message) {
    return Array.isArray(message.attachments) && message.attachments.length > 0;
  }

  function isImage(attachment) {
    return Boolean(attachment) && (attachment.is_image === true ||
      String(attachment.content_type || "").indexOf("image/") === 0);
  }

  // Images as thumbnails that open the full picture; other files as download links by name.
  function renderAttachments(message, bubble) {
    if (!hasAttachments(message)) {
      return;
    }
    var box = document.createElement("div");
    box.className = "chat-attachments";
    // Pictures first, side by side; documents after them.
    var images = message.attachments.filter(isImage);
    images.concat(message.attachments.filter(function (attachment) {
      return !isImage(attachment);
    })).forEach(function (attachment) {
      var url = sameOriginUrl(attachment && attachment.url);
      if (!url) {
        return;
      }
      var name = String(attachment.filename || attachment.name || text.attachment);
      var link = document.createElement("a");
      link.href = url;
      link.rel = "noopener noreferrer";
      if (isImage(attachment)) {
        link.className = "chat-image";
        link.target = "_blank";
        var image = document.createElement("img");
        image.src = url;
        image.alt = name;
        image.loading = "lazy";
        link.appendChild(image);
      } else {
        link.className = "chat-file";
        link.download = name;
        var label = document.createElement("span");
        label.className = "chat-file-name";
        label.textContent = name;
        var size = document.createElement("span");
        size.className = "chat-file-size";
        size.textContent = humanSize(attachment.size);
        link.append(label, size);
      }
      box.appendChild(link);
    });
    bubble.appendChild(box);
  }

  function setState(item, state) {
    item.dataset.state = state;
    var label = item.querySelector(".chat-msg-state");
    if (label) {
      label.textContent = text["state." + state] || "";
    }
  }

  function buildMessage(message) {
    var sender = String(message.sender_type || "agent");
    var item = document.createElement("li");
    item.className = "chat-msg from-" + (/^[a-z]+$/.test(sender) ? sender : "agent");
    if (message.id) {
      item.dataset.id = String(Number(message.id));
    }
    if (sender !== "customer") {
      var who = document.createElement("span");
      who.className = "chat-msg-sender";
      who.textContent = text["sender." + sender] || text["sender.agent"];
      item.appendChild(who);
    }
    var bubble = document.createElement("div");
    bubble.className = "chat-bubble";
    if (message.body || !hasAttachments(message)) {
      var body = document.createElement("p");
      body.className = "chat-msg-body";
      body.textContent = String(message.body || "");
      bubble.appendChild(body);
    } else {
      bubble.classList.add("is-files");  // files alone: no empty line of text above them
    }
    renderAttachments(message, bubble);
    item.appendChild(bubble);
    var meta = document.createElement("div");
    meta.className = "chat-msg-meta";
    var time = document.createElement("time");
    time.textContent = clockTime(message.created_at);
    if (message.created_at) {
      time.dateTime = String(message.created_at);
    }
    meta.appendChild(time);
    if (sender === "customer") {
      var state = document.createElement("span");
      state.className = "chat-msg-state";
      meta.appendChild(state);
    }
    item.appendChild(meta);
    if (sender === "customer") {
      setState(item, message.id && Number(message.id) <= agentReadUpTo ? "read" : "sent");
    }
    return item;
  }

  // Stored messages sit in id order, unacknowledged ones after them.
  function place(item) {
    var id = Number(item.dataset.id);
    var before = null;
    var items = timeline.querySelectorAll(".chat-msg");
    for (var i = 0; i < items.length; i += 1) {
      var other = items[i];
      if (!other.dataset.id || Number(other.dataset.id) > id) {
        before = other;
        break;
      }
    }
    timeline.insertBefore(item, before);
  }

  // Shows a stored message once, whatever path it came by (ack, live frame, history).
  function showMessage(message) {
    if (!message || !message.id || findMessage(message.id)) {
      return false;
    }
    var stick = nearBottom();
    place(buildMessage(message));
    if (stick || message.sender_type === "customer") {
      scrollDown();
    }
    if (message.sender_type !== "customer") {
      showTyping(false);
      noteUnread();
    }
    return true;
  }

  function showSystem(line) {
    var item = document.createElement("li");
    item.className = "chat-system";
    item.textContent = line;
    timeline.appendChild(item);
    scrollDown();
  }

  function markRead(upTo) {
    agentReadUpTo = Math.max(agentReadUpTo, Number(upTo) || 0);
    Array.prototype.forEach.call(timeline.querySelectorAll(".chat-msg.from-customer[data-id]"),
      function (item) {
        if (Number(item.dataset.id) <= agentReadUpTo) {
          setState(item, "read");
        }
      });
  }

  var typingTimer = null;

  function showTyping(shown) {
    clearTimeout(typingTimer);
    typingNode.hidden = !shown;
    if (shown) {
      typingTimer = setTimeout(function () {
        typingNode.hidden = true;
      }, TYPING_SHOWN_MS);
    }
  }

  function showNotice(line) {
    noticeNode.textContent = line;
    noticeNode.hidden = !line;
  }

  // ---- read receipts and the widget's unread badge ------------------------------------------

  function visible() {
    return widgetOpen && document.visibilityState !== "hidden";
  }

  function tellWidget(message) {
    if (config.embed && window.parent !== window) {
      window.parent.postMessage(message, "*");  // a count or a request to close: nothing private
    }
  }

  function noteUnread() {
    if (visible()) {
      sendRead();
      return;
    }
    unread += 1;
    tellWidget({ type: "kefu:unread", count: unread });
  }

  function sendRead() {
    var last = lastId();
    if (!visible() || last <= lastReadSent) {
      return;
    }
    if (send({ type: "read", up_to: last })) {
      lastReadSent = last;
    }
    if (unread) {
      unread = 0;
      tellWidget({ type: "kefu:unread", count: 0 });
    }
  }

  // ---- the connection ----------------------------------------------------------------------

  var socket = null;
  var attempts = 0;
  var failedConnects = 0;
  var welcomed = false;
  var reconnectTimer = null;
  var connectionTimer = null;
  var lastHeard = 0;
  var stopped = false;
  var agentsOnline = null;

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN && welcomed) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function setPresence(online) {
    agentsOnline = Boolean(online);
    presenceNode.dataset.state = agentsOnline ? "online" : "offline";
    presenceNode.textContent = agentsOnline ? text["presence.online"] : text["presence.offline"];
    showLeaveForm(!agentsOnline);
  }

  // Where the customer waits for an agent: position 0 means not waiting (any more).
  function setQueue(position, minutes) {
    if (!queueNode) {
      return;
    }
    if (!position) {
      queueNode.hidden = true;
      queueNode.textContent = "";
      return;
    }
    var line = position === 1
      ? text["queue.next"]
      : text["queue.ahead"].replace("{ahead}", String(position - 1));
    line += minutes === null || minutes === undefined
      ? text["queue.wait_unknown"]
      : text["queue.wait"].replace("{minutes}", String(minutes));
    queueNode.textContent = line;
    queueNode.hidden = false;
  }

  function sendFrame(entry) {
    var frame = { type: "send", client_id: entry.clientId, body: entry.body };
    if (entry.attachmentIds.length) {
      frame.attachment_ids = entry.attachmentIds;
    }
    return send(frame);
  }

  function sendPending() {
    pending.forEach(sendFrame);
  }

  function onWelcome(frame) {
    welcomed = true;
    attempts = 0;
    failedConnects = 0;
    saveToken(frame.visitor);
    clearTimeout(connectionTimer);
    connectionTimer = null;
    connectionNode.hidden = true;
    // The last id is read before anything is resent: acks of resends must not move it past
    // agent replies that arrived while the socket was down.
    var after = lastId();
    sendPending();
    send({ type: "resume", after_id: after });
    setPresence(frame.agents_online);
  }

  function onAck(frame) {
    var entry = null;
    pending = pending.filter(function (candidate) {
      if (candidate.clientId === frame.client_id) {
        entry = candidate;
        return false;
      }
      return true;
    });
    var message = frame.message;
    if (!entry) {
      showMessage(message);  // a resend acknowledged after a reload: show it if new
      return;
    }
    entry.item.remove();
    if (!findMessage(message.id)) {
      place(buildMessage(message));  // as stored: its time, and its files as the server has them
      scrollDown();
    }
  }

  function onError(frame) {
    if (!frame.client_id) {
      return;
    }
    pending = pending.filter(function (entry) {
      if (entry.clientId === frame.client_id) {
        setState(entry.item, "failed");  // refused, not lost: resending would fail again
        return false;
      }
      return true;
    });
  }

  function onFrame(frame) {
    if (frame.type === "welcome") {
      onWelcome(frame);
    } else if (frame.type === "ack") {
      onAck(frame);
    } else if (frame.type === "message") {
      showMessage(frame.message);
    } else if (frame.type === "history") {
      (frame.messages || []).forEach(showMessage);
      sendRead();
    } else if (frame.type === "typing") {
      showTyping(frame.by !== "customer");
    } else if (frame.type === "read") {
      if (frame.by !== "customer") {
        markRead(frame.up_to);
      }
    } else if (frame.type === "status") {
      var line = text["status." + frame.status];
      if (line) {
        showSystem(line);
      }
    } else if (frame.type === "presence") {
      setPresence(frame.agents_online);
    } else if (frame.type === "queue") {
      setQueue(frame.position, frame.wait_minutes);
    } else if (frame.type === "error") {
      onError(frame);
    }
  }

  function showConnectionSoon() {
    if (connectionTimer === null) {
      connectionTimer = setTimeout(function () {
        connectionNode.hidden = false;
      }, CONNECTION_SHOW_AFTER_MS);
    }
  }

  function scheduleReconnect() {
    if (stopped || reconnectTimer !== null) {
      return;
    }
    showConnectionSoon();
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, attempts));
    attempts += 1;
    var delay = ceiling / 2 + Math.random() * ceiling / 2;
    reconnectTimer = setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function connectUrl() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var query = "?visitor=" + encodeURIComponent(loadToken());
    if (config.identity) {
      query += "&identity=" + encodeURIComponent(config.identity);
    }
    return scheme + window.location.host + config.ws_path + query;
  }

  function connect() {
    var ws;
    welcomed = false;
    try {
      ws = new WebSocket(connectUrl());
    } catch (error) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    lastHeard = Date.now();
    ws.onmessage = function (event) {
      lastHeard = Date.now();
      var frame;
      try {
        frame = JSON.parse(event.data);
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
      if (!welcomed) {
        failedConnects += 1;
        if (failedConnects >= FAILED_CONNECTS_BEFORE_FORM && agentsOnline === null) {
          showLeaveForm(true);  // the live chat cannot get through: a message can
        }
      }
      welcomed = false;
      if (event.code === CLOSE_UNAUTHORIZED) {
        stopped = true;
        connectionNode.hidden = true;
        showNotice(text.identity_error);
        return;
      }
      if (event.code === CLOSE_NOT_FOUND) {
        stopped = true;
        return;
      }
      scheduleReconnect();
    };
  }

  // A connection can die without a close (sleeping phone, proxy): ping, and drop it when silent.
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

  window.addEventListener("offline", function () {
    if (socket) {
      socket.close();  // fail fast: the send queue is kept and resent after reconnecting
    }
  });

  // ---- composing --------------------------------------------------------------------------

  // Queues a message and sends it when it can. ``attachments`` are files already uploaded: their
  // ids, or the attachments as the upload answered (then they show while the message is sent).
  function queueMessage(body, attachments) {
    var files = (Array.isArray(attachments) ? attachments : []).filter(function (file) {
      return file && typeof file === "object";
    });
    var entry = {
      clientId: newClientId(),
      body: body,
      attachmentIds: (Array.isArray(attachments) ? attachments : []).map(function (file) {
        return Number(file && typeof file === "object" ? file.id : file);
      }),
      item: null,
    };
    entry.item = buildMessage({ sender_type: "customer", body: body, attachments: files });
    setState(entry.item, "sending");
    timeline.appendChild(entry.item);
    pending.push(entry);
    scrollDown();
    sendFrame(entry);
  }

  // The files picked for the next message (chat-attach.js replaces this with its tray).
  var tray = {
    busy: function () {
      return false;
    },
    take: function () {
      return [];
    },
  };

  function submitMessage() {
    var body = input.value;
    if (tray.busy()) {
      return;  // the tray says why: its files are still uploading
    }
    var files = tray.take();
    if (!body.trim() && !files.length) {
      return;
    }
    queueMessage(body, files);
    input.value = "";
    fitInput();
  }

  function fitInput() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 140) + "px";
  }

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    submitMessage();
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    // Enter sends; Shift+Enter is a new line; Enter that confirms a Chinese IME word is neither.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submitMessage();
    }
  });

  var lastTypingSent = 0;
  input.addEventListener("input", function () {
    fitInput();
    var now = Date.now();
    if (input.value && now - lastTypingSent >= TYPING_SEND_EVERY_MS && send({ type: "typing" })) {
      lastTypingSent = now;
    }
  });

  // ---- leave a message ----------------------------------------------------------------------

  var leaveClientId = newClientId();
  var leaveSent = false;

  function showLeaveForm(shown) {
    if (shown && leaveSent) {
      shown = false;  // one message left is enough; the chat box takes any follow-up
    }
    leaveForm.hidden = !shown;
    composer.hidden = shown;
  }

  function leaveProblem(key) {
    leaveError.textContent = text[key] || text["leave.error.generic"];
    leaveError.hidden = false;
  }

  // A field's error is located at ["body", field]; the form's own rule (e-mail or phone) at
  // ["body"].
  function fieldProblem(details) {
    var fields = (details || []).map(function (detail) {
      var loc = (detail && detail.loc) || [];
      return loc.length > 1 ? String(loc[1]) : "";
    });
    var order = ["name", "email", "phone", "body"];
    for (var i = 0; i < order.length; i += 1) {
      if (fields.indexOf(order[i]) !== -1) {
        return "leave.error." + order[i];
      }
    }
    return fields.indexOf("") !== -1 ? "leave.error.contact" : "leave.error.generic";
  }

  function leaveValues() {
    var data = new FormData(leaveForm);
    var values = { client_id: leaveClientId };
    ["name", "email", "phone", "body"].forEach(function (name) {
      var value = String(data.get(name) || "").trim();
      if (value) {
        values[name] = name === "body" ? String(data.get(name)) : value;
      }
    });
    return values;
  }

  leaveForm.addEventListener("submit", function (event) {
    event.preventDefault();
    leaveError.hidden = true;
    var values = leaveValues();
    if (!values.name) {
      return leaveProblem("leave.error.name");
    }
    if (!values.email && !values.phone) {
      return leaveProblem("leave.error.contact");
    }
    if (!values.body || !values.body.trim()) {
      return leaveProblem("leave.error.body");
    }
    var button = leaveForm.querySelector("button[type=submit]");
    button.disabled = true;
    var headers = { "Content-Type": "application/json", "X-Kefu-Visitor": loadToken() };
    if (config.identity) {
      headers["X-Kefu-Identity"] = config.identity;
    }
    fetch(config.leave_url, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(values),
      credentials: "omit",
      cache: "no-store",
    })
      .then(function (response) {
        return response.json().catch(function () {
          return {};
        }).then(function (answer) {
          if (response.ok) {
            saveToken(answer.visitor);
            leaveSent = true;
            showMessage({
              id: answer.message_id,
              conversation_id: answer.conversation_id,
              sender_type: "customer",
              body: values.body,
              created_at: new Date().toISOString(),
            });
            showSystem(text["leave.sent"]);
            leaveForm.reset();
            leaveClientId = newClientId();
            showLeaveForm(false);
            return;
          }
          var error = answer.error || {};
          if (response.status === 429) {
            leaveProblem("leave.error.rate_limited");
          } else if (response.status === 422) {
            leaveProblem(fieldProblem(error.details));
          } else {
            leaveProblem("leave.error.generic");
          }
        });
      })
      .catch(function () {
        leaveProblem("leave.error.generic");
      })
      .then(function () {
        button.disabled = false;
      });
  });

  // ---- inside the widget --------------------------------------------------------------------

  if (config.embed) {
    window.addEventListener("message", function (event) {
      if (event.source !== window.parent || !event.data || typeof event.data !== "object") {
        return;
      }
      if (event.data.type === "kefu:open") {
        widgetOpen = true;
        sendRead();
        input.focus();
      } else if (event.data.type === "kefu:close") {
        widgetOpen = false;
      }
    });
    var minimise = document.getElementById("chat-minimise");
    if (minimise) {
      minimise.addEventListener("click", function () {
        tellWidget({ type: "kefu:close" });
      });
    }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        tellWidget({ type: "kefu:close" });
      }
    });
  }

  document.addEventListener("visibilitychange", sendRead);

  // For the file picker (chat-attach.js, with chat-upload.js): who is chatting, a way to send
  // uploaded files, and the place to plug in the tray of files picked for the next message.
  window.KefuChat = {
    shop: config.shop,
    visitorToken: loadToken,
    send: queueMessage,
    useTray: function (files) {
      tray = files;
    },
  };

  connect();
})();
