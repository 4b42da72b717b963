/* Kefu chat widget: one <script src=".../static/widget.js" data-shop="SLUG" async> on a shop's
   page adds a chat button; the chat itself runs in an iframe on Kefu's own origin. */
(function () {
  "use strict";

  // Options (data- attributes of the script tag):
  //   data-shop      the shop's slug (required)
  //   data-identity  the shop's signed token for a logged-in customer (docs/webchat.md)
  //   data-lang      "zh" or "en" (default: the browser's language)
  //   data-position  "right" (default) or "left"
  // window.KefuWidget.open() / .close() let the page open the chat from its own buttons.

  var script = document.currentScript;
  if (!script || window.KefuWidget) {
    return;
  }
  var shop = script.getAttribute("data-shop") || "";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(shop)) {
    if (window.console) {
      window.console.warn("Kefu widget: data-shop must be the shop's slug");
    }
    return;
  }
  var origin = new URL(script.src, window.location.href).origin;
  var identity = script.getAttribute("data-identity") || "";
  var lang = script.getAttribute("data-lang") || "";
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";
  var chinese = (lang || window.navigator.language || "zh").toLowerCase().indexOf("zh") === 0;
  var label = chinese ? "联系客服" : "Chat with us";
  var closeLabel = chinese ? "收起客服窗口" : "Close the chat";
  var SVG = "http://www.w3.org/2000/svg";
  var LAYER = "2147483000";

  // Styles are set property by property (CSSOM), which a host page's CSP allows, and reset
  // first so the shop's own CSS for buttons and iframes does not leak in.
  function styled(element, styles) {
    element.style.all = "initial";
    Object.keys(styles).forEach(function (name) {
      element.style[name] = styles[name];
    });
    return element;
  }

  function icon(path) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "26");
    svg.setAttribute("height", "26");
    svg.setAttribute("aria-hidden", "true");
    var line = document.createElementNS(SVG, "path");
    line.setAttribute("d", path);
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "currentColor");
    line.setAttribute("stroke-width", "2");
    line.setAttribute("stroke-linecap", "round");
    line.setAttribute("stroke-linejoin", "round");
    svg.appendChild(line);
    return svg;
  }

  var CHAT_ICON = "M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.4A8 8 0 1 1 21 12z";
  var CLOSE_ICON = "M6 6l12 12M18 6L6 18";

  var launcher = styled(document.createElement("button"), {
    position: "fixed",
    bottom: "20px",
    width: "56px",
    height: "56px",
    borderRadius: "50%",
    border: "0",
    display: "grid",
    placeItems: "center",
    color: "#fff",
    background: "#2563eb",
    boxShadow: "0 6px 20px rgba(37, 99, 235, 0.4)",
    cursor: "pointer",
    zIndex: LAYER,
  });
  launcher.style[side] = "20px";
  launcher.type = "button";
  launcher.id = "kefu-launcher";
  launcher.setAttribute("aria-label", label);
  launcher.setAttribute("aria-expanded", "false");
  launcher.title = label;
  var chatIcon = icon(CHAT_ICON);
  var closeIcon = icon(CLOSE_ICON);
  launcher.appendChild(chatIcon);

  var badge = styled(document.createElement("span"), {
    position: "absolute",
    top: "-2px",
    right: "-2px",
    minWidth: "20px",
    height: "20px",
    padding: "0 5px",
    borderRadius: "10px",
    boxSizing: "border-box",
    font: "600 12px/20px -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif",
    textAlign: "center",
    color: "#fff",
    background: "#dc2626",
    display: "none",
  });
  badge.setAttribute("aria-hidden", "true");
  launcher.appendChild(badge);

  var panel = styled(document.createElement("div"), {
    position: "fixed",
    display: "none",
    overflow: "hidden",
    background: "#fff",
    boxShadow: "0 12px 40px rgba(16, 24, 40, 0.25)",
    zIndex: LAYER,
  });
  panel.id = "kefu-panel";

  var frame = null;
  var isOpen = false;

  function layout() {
    var narrow = window.matchMedia("(max-width: 480px)").matches;
    if (narrow) {
      panel.style.top = "0";
      panel.style.bottom = "0";
      panel.style.left = "0";
      panel.style.right = "0";
      panel.style.width = "100%";
      panel.style.height = "100%";
      panel.style.borderRadius = "0";
      launcher.style.display = isOpen ? "none" : "grid";
    } else {
      panel.style.top = "auto";
      panel.style.bottom = "88px";
      panel.style.left = side === "left" ? "20px" : "auto";
      panel.style.right = side === "right" ? "20px" : "auto";
      panel.style.width = "380px";
      panel.style.height = "min(640px, calc(100vh - 120px))";
      panel.style.borderRadius = "16px";
      launcher.style.display = "grid";
    }
  }

  function chatUrl() {
    var url = origin + "/chat/" + encodeURIComponent(shop) + "?embed=1";
    if (lang === "zh" || lang === "en") {
      url += "&lang=" + lang;
    }
    if (identity) {
      url += "&identity=" + encodeURIComponent(identity);
    }
    return url;
  }

  function tellChat(type) {
    if (frame && frame.contentWindow) {
      frame.contentWindow.postMessage({ type: type }, origin);
    }
  }

  // The frame is made on first open, so a page view alone never starts a chat.
  function makeFrame() {
    frame = styled(document.createElement("iframe"), {
      display: "block",
      width: "100%",
      height: "100%",
      border: "0",
    });
    frame.title = label;
    frame.id = "kefu-frame";
    frame.src = chatUrl();
    frame.addEventListener("load", function () {
      tellChat(isOpen ? "kefu:open" : "kefu:close");
    });
    panel.appendChild(frame);
  }

  function setBadge(count) {
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.style.display = count > 0 && !isOpen ? "block" : "none";
  }

  function open() {
    if (!frame) {
      makeFrame();
    }
    isOpen = true;
    panel.style.display = "block";
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", closeLabel);
    launcher.replaceChild(closeIcon, launcher.firstChild);
    setBadge(0);
    layout();
    tellChat("kefu:open");
  }

  function close() {
    isOpen = false;
    panel.style.display = "none";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", label);
    launcher.replaceChild(chatIcon, launcher.firstChild);
    layout();
    tellChat("kefu:close");
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (isOpen) {
      close();
    } else {
      open();
    }
  });

  window.addEventListener("message", function (event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== origin) {
      return;
    }
    var data = event.data || {};
    if (data.type === "kefu:close") {
      close();
    } else if (data.type === "kefu:unread") {
      setBadge(Number(data.count) || 0);
    }
  });

  window.addEventListener("resize", layout);

  function mount() {
    document.body.appendChild(panel);
    document.body.appendChild(launcher);
    layout();
  }

  window.KefuWidget = { open: open, close: close };
  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }
})();
