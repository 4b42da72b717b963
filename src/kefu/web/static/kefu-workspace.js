/* Kefu agent workspace: canned replies from "/" in the reply box, tabs of the conversations
   opened in this browser tab (with unread dots from the live events), and the sound switch. */
(function () {
  "use strict";

  // Nothing here builds markup from strings: suggestions come rendered (and escaped) by the
  // server and are moved in from a parsed, inert document; tab titles are set as text.

  var MUTE_KEY = "kefu-muted";
  var TABS_KEY = "kefu-open-tabs";
  var MAX_TABS = 8;
  var SUGGEST_DELAY_MS = 100;
  var SHORTCUT_AT_CARET = /(^|\s)(\/[^\s\/]{0,31})$/;

  function store(kind) {
    try {
      var area = window[kind];
      area.getItem(MUTE_KEY);
      return area;
    } catch (error) {
      return null;  // storage disabled: the features below simply stay off
    }
  }

  // ---- the sound switch -------------------------------------------------------------------

  function setUpSound() {
    var button = document.getElementById("sound-toggle");
    var local = store("localStorage");
    if (!button || !local) {
      return;
    }
    function show() {
      var off = local.getItem(MUTE_KEY) === "1";
      button.textContent = off ? button.dataset.labelOff : button.dataset.labelOn;
      button.classList.toggle("is-muted", off);
    }
    button.hidden = false;
    show();
    button.addEventListener("click", function () {
      if (local.getItem(MUTE_KEY) === "1") {
        local.removeItem(MUTE_KEY);
      } else {
        local.setItem(MUTE_KEY, "1");
      }
      show();
    });
    // Muting in one tab mutes them all.
    window.addEventListener("storage", function (event) {
      if (event.key === MUTE_KEY) {
        show();
      }
    });
  }

  // ---- open conversations -----------------------------------------------------------------

  var session = store("sessionStorage");

  function readTabs() {
    if (!session) {
      return [];
    }
    try {
      var tabs = JSON.parse(session.getItem(TABS_KEY) || "[]");
      return Array.isArray(tabs) ? tabs.filter(function (tab) {
        return tab && typeof tab.id === "number" && typeof tab.title === "string";
      }) : [];
    } catch (error) {
      return [];
    }
  }

  function writeTabs(tabs) {
    if (session) {
      session.setItem(TABS_KEY, JSON.stringify(tabs));
    }
  }

  function currentId() {
    var thread = document.querySelector("[data-tab-id]");
    return thread ? Number(thread.dataset.tabId) : null;
  }

  function rememberCurrent() {
    var thread = document.querySelector("[data-tab-id]");
    if (!thread) {
      return;
    }
    var id = Number(thread.dataset.tabId);
    var title = (thread.dataset.tabTitle || "").slice(0, 40) || "#" + id;
    var tabs = readTabs();
    var found = tabs.filter(function (tab) { return tab.id === id; })[0];
    if (found) {
      found.title = title;
      found.unread = false;
    } else {
      tabs.push({ id: id, title: title, unread: false });
      while (tabs.length > MAX_TABS) {
        tabs.shift();  // the longest-open goes first
      }
    }
    writeTabs(tabs);
  }

  function renderTabs() {
    var nav = document.getElementById("open-tabs");
    if (!nav) {
      return;
    }
    var here = currentId();
    var tabs = readTabs();
    nav.textContent = "";
    tabs.forEach(function (tab) {
      var item = document.createElement("span");
      item.className = "open-tab" + (tab.id === here ? " is-current" : "") +
        (tab.unread ? " is-unread" : "");
      item.dataset.conversationId = String(tab.id);
      var link = document.createElement("a");
      link.href = "/conversations/" + tab.id;
      link.textContent = tab.title;
      link.title = tab.title + " #" + tab.id;
      if (tab.id === here) {
        link.setAttribute("aria-current", "page");
      }
      if (tab.unread) {
        var dot = document.createElement("span");
        dot.className = "unread-dot";
        dot.setAttribute("role", "img");
        dot.setAttribute("aria-label", nav.dataset.unreadLabel || "");
        link.appendChild(dot);
      }
      var close = document.createElement("button");
      close.type = "button";
      close.className = "open-tab-close";
      close.dataset.closeTab = String(tab.id);
      close.setAttribute("aria-label", (nav.dataset.closeLabel || "{name}").replace("{name}", tab.title));
      close.textContent = "×";
      item.appendChild(link);
      item.appendChild(close);
      nav.appendChild(item);
    });
    nav.hidden = tabs.length === 0;
  }

  function setUpTabs() {
    if (!session || !document.getElementById("open-tabs")) {
      return;
    }
    rememberCurrent();
    renderTabs();
    document.addEventListener("click", function (event) {
      var close = event.target instanceof Element && event.target.closest("[data-close-tab]");
      if (!close) {
        return;
      }
      var id = Number(close.dataset.closeTab);
      writeTabs(readTabs().filter(function (tab) { return tab.id !== id; }));
      renderTabs();
    });
    // kefu-live.js passes on every frame of /ws/agent; a customer writing in an open chat
    // that is not on screen lights its dot.
    document.addEventListener("kefu:frame", function (event) {
      var detail = event.detail || {};
      var frame = detail.frame || {};
      var data = frame.data || {};
      if (frame.type !== "message.created" || data.sender_type !== "customer" ||
          data.is_internal || detail.here) {
        return;
      }
      var tabs = readTabs();
      var changed = false;
      tabs.forEach(function (tab) {
        if (tab.id === frame.conversation_id && !tab.unread) {
          tab.unread = true;
          changed = true;
        }
      });
      if (changed) {
        writeTabs(tabs);
        renderTabs();
      }
    });
  }

  // ---- canned replies ---------------------------------------------------------------------

  var token = null;
  var active = -1;
  var timer = null;
  var asked = 0;

  function replyBox() {
    return document.getElementById("reply-body");
  }

  function popup() {
    return document.getElementById("canned-popup");
  }

  function options() {
    var list = popup();
    return list ? Array.prototype.slice.call(list.querySelectorAll(".canned-option")) : [];
  }

  function isOpen() {
    var list = popup();
    return Boolean(list && !list.hidden);
  }

  function closeSuggestions() {
    var list = popup();
    var box = replyBox();
    clearTimeout(timer);
    token = null;
    active = -1;
    asked += 1;  // an answer still on its way is no longer wanted
    if (list) {
      list.hidden = true;
      list.textContent = "";
    }
    if (box) {
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
    }
  }

  function highlight(index) {
    var items = options();
    var box = replyBox();
    if (!items.length) {
      active = -1;
      return;
    }
    active = (index + items.length) % items.length;
    items.forEach(function (item, i) {
      item.classList.toggle("is-active", i === active);
      item.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    items[active].scrollIntoView({ block: "nearest" });
    if (box) {
      box.setAttribute("aria-activedescendant", items[active].id);
    }
  }

  function shortcutAtCaret(box) {
    if (box.selectionStart !== box.selectionEnd) {
      return null;
    }
    var before = box.value.slice(0, box.selectionStart);
    var match = SHORTCUT_AT_CARET.exec(before);
    if (!match) {
      return null;
    }
    return { start: box.selectionStart - match[2].length, end: box.selectionStart, text: match[2] };
  }

  function show(html, asking) {
    var list = popup();
    var box = replyBox();
    if (asking !== asked || !list || !box || token === null) {
      return;
    }
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var fresh = parsed.querySelector("ul.canned-list");
    list.textContent = "";
    if (!fresh) {
      closeSuggestions();
      return;
    }
    list.appendChild(document.importNode(fresh, true));
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    highlight(0);
  }

  function suggest(box) {
    token = shortcutAtCaret(box);
    if (token === null || !box.dataset.cannedUrl) {
      closeSuggestions();
      return;
    }
    clearTimeout(timer);
    var query = token.text.slice(1);
    timer = setTimeout(function () {
      asked += 1;
      var asking = asked;
      fetch(box.dataset.cannedUrl + "?q=" + encodeURIComponent(query), {
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
        cache: "no-store",
      })
        .then(function (response) {
          var redirect = response.headers.get("HX-Redirect");
          if (redirect && redirect.charAt(0) === "/" && redirect.charAt(1) !== "/") {
            window.location.assign(redirect);
            return null;
          }
          return response.ok ? response.text().then(function (html) { show(html, asking); }) : null;
        })
        .catch(function () {
          // Offline: no suggestions; the agent can still type the reply.
        });
    }, SUGGEST_DELAY_MS);
  }

  function insert(option) {
    var box = replyBox();
    if (!box || !option || token === null) {
      return;
    }
    var body = option.getAttribute("data-body") || "";
    var value = box.value;
    var end = Math.max(token.end, box.selectionStart);
    box.value = value.slice(0, token.start) + body + value.slice(end);
    var caret = token.start + body.length;
    closeSuggestions();
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setUpCanned() {
    document.addEventListener("input", function (event) {
      if (event.target === replyBox()) {
        suggest(event.target);
      }
    });

    // Capture, so Enter picks a suggestion before anything else hears it.
    document.addEventListener("keydown", function (event) {
      if (event.target !== replyBox() || !isOpen()) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if ((event.key === "Enter" || event.key === "Tab") &&
                 !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.isComposing) {
        var chosen = options()[active];
        if (chosen) {
          event.preventDefault();
          event.stopPropagation();
          insert(chosen);
        }
      } else if (event.key === "Escape") {
        event.preventDefault();
        closeSuggestions();
      }
    }, true);

    // mousedown, not click: the reply box keeps its focus and caret.
    document.addEventListener("mousedown", function (event) {
      var option = event.target instanceof Element && event.target.closest("#canned-popup .canned-option");
      if (option) {
        event.preventDefault();
        insert(option);
      }
    });

    document.addEventListener("focusout", function (event) {
      if (event.target === replyBox()) {
        setTimeout(function () {
          if (document.activeElement !== replyBox()) {
            closeSuggestions();
          }
        }, 150);
      }
    });

    // A sent reply brings a new, empty form.
    document.addEventListener("htmx:afterSwap", function () {
      if (!isOpen()) {
        token = null;
      }
    });
  }

  setUpSound();
  setUpTabs();
  setUpCanned();
})();
