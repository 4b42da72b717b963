/* Kefu presence: keeps the header's online/away/offline switch current, sets "away" after a
   while without mouse or keyboard, and back "online" on return if that away was automatic. */
(function () {
  "use strict";

  var CHECK_EVERY_MS = 15000;
  var SHARE_EVERY_MS = 5000;
  var DEFAULT_IDLE_MINUTES = 10;
  var STORAGE_KEY = "kefu-last-activity";
  var ACTIVITY = ["mousemove", "mousedown", "keydown", "wheel", "touchstart", "scroll"];

  function box() {
    return document.getElementById("presence-switch");
  }

  if (!box() || !window.fetch) {
    return;
  }

  var lastActivity = Date.now();
  var lastShared = 0;
  var sending = false;

  function idleMs() {
    var minutes = Number(box().dataset.idleMinutes);
    return (minutes > 0 ? minutes : DEFAULT_IDLE_MINUTES) * 60000;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Every tab of the agent counts: activity in one keeps the others from going away.
  function sharedActivity() {
    try {
      return Number(window.localStorage.getItem(STORAGE_KEY)) || 0;
    } catch (error) {
      return 0;
    }
  }

  function shareActivity(now) {
    if (now - lastShared < SHARE_EVERY_MS) {
      return;
    }
    lastShared = now;
    try {
      window.localStorage.setItem(STORAGE_KEY, String(now));
    } catch (error) {
      // Private mode: this tab alone decides.
    }
  }

  function show(presence, auto) {
    var form = box();
    if (!form) {
      return;
    }
    form.dataset.presence = presence;
    form.dataset.auto = auto ? "true" : "false";
    Array.prototype.forEach.call(form.querySelectorAll("button[name=presence]"), function (button) {
      button.setAttribute("aria-pressed", button.value === presence ? "true" : "false");
    });
    var mark = form.querySelector(".presence-auto");
    if (mark) {
      mark.hidden = !(auto && presence === "away");
    }
  }

  // On each (re)connection: the socket's first heartbeat may have changed it before we listened.
  function refresh() {
    var form = box();
    if (!form) {
      return;
    }
    fetch(form.dataset.api, {
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      cache: "no-store"
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state) {
          show(state.presence, state.auto);
        }
      })
      .catch(function () { /* The next event says it. */ });
  }

  function send(presence) {
    var form = box();
    if (sending || !form) {
      return;
    }
    sending = true;
    fetch(form.dataset.api, {
      method: "PUT",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": csrfToken()
      },
      body: JSON.stringify({ presence: presence, auto: true })
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state) {
          show(state.presence, state.auto);
        }
      })
      .catch(function () { /* The next check or activity tries again. */ })
      .then(function () { sending = false; });
  }

  function onActivity() {
    var now = Date.now();
    lastActivity = now;
    shareActivity(now);
    var form = box();
    if (form && form.dataset.presence === "away" && form.dataset.auto === "true") {
      send("online");
    }
  }

  ACTIVITY.forEach(function (name) {
    window.addEventListener(name, onActivity, { passive: true, capture: true });
  });

  window.setInterval(function () {
    var form = box();
    var last = Math.max(lastActivity, sharedActivity());
    if (form && form.dataset.presence === "online" && Date.now() - last >= idleMs()) {
      send("away");
    }
  }, CHECK_EVERY_MS);

  // Another tab, the agent's own click elsewhere, or the server's sweep changed it.
  document.addEventListener("kefu:frame", function (event) {
    var frame = event.detail && event.detail.frame;
    var form = box();
    if (frame && frame.type === "welcome") {
      refresh();
      return;
    }
    if (!frame || !form || frame.type !== "agent.presence" || !frame.data) {
      return;
    }
    if (String(frame.data.user_id) === form.dataset.userId) {
      show(frame.data.presence, Boolean(frame.data.auto));
    }
  });
})();
