/* Kefu customer chat: the file picker. Files picked (or pasted, or dropped) upload at once and
   wait in a tray above the message box; Send sends them with the text, if any. */
(function () {
  "use strict";

  // Names and errors reach the page through textContent only; thumbnails load from the
  // attachment's own same-origin address.

  var configNode = document.getElementById("chat-config");
  var button = document.getElementById("chat-attach");
  var picker = document.getElementById("chat-file");
  var trayNode = document.getElementById("chat-tray");
  var errorNode = document.getElementById("chat-attach-error");
  var composer = document.getElementById("chat-composer");
  var input = document.getElementById("chat-input");
  var sendButton = document.getElementById("chat-send");
  var chat = window.KefuChat;
  var uploader = window.KefuChatUpload;
  if (!configNode || !button || !picker || !trayNode || !errorNode || !chat || !uploader) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var text = config.text;
  var limits = config.upload || {};
  var MAX_FILES = Number(limits.max_files) || 5;
  var MAX_BYTES = Number(limits.max_bytes) || 0;
  // The server's texts for these are in English only: show ours.
  var SHOWN_AS_IS = { 413: true, 415: true, 429: true };

  var entries = [];  // {file, item, attachment, abort}, in the order picked

  function humanSize(bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return Math.max(1, Math.round(bytes / 1024)) + " KB";
    }
    return (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, "") + " MB";
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  // ---- errors --------------------------------------------------------------------------------

  var problems = [];

  function showProblems() {
    errorNode.textContent = problems.join("\n");
    errorNode.hidden = problems.length === 0;
  }

  function problem(name, message) {
    problems.push(name ? fill(text["attach.error"], { name: name, error: message }) : message);
    showProblems();
  }

  function clearProblems() {
    problems = [];
    showProblems();
  }

  // ---- the tray ------------------------------------------------------------------------------

  function uploading() {
    return entries.some(function (entry) {
      return !entry.attachment;
    });
  }

  function sync() {
    trayNode.hidden = entries.length === 0;
    sendButton.disabled = uploading();
    button.disabled = entries.length >= MAX_FILES;
  }

  function drop(entry) {
    entries = entries.filter(function (other) {
      return other !== entry;
    });
    entry.item.remove();
    sync();
  }

  function kind(name) {
    var dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(dot + 1, dot + 5).toUpperCase() : "";
  }

  function buildChip(entry) {
    var name = entry.file.name || text.attachment;
    var item = document.createElement("li");
    item.className = "chat-chip";
    item.dataset.state = "uploading";
    var thumb = document.createElement("span");
    thumb.className = "chat-chip-thumb";
    thumb.textContent = kind(name);
    var about = document.createElement("span");
    about.className = "chat-chip-about";
    var label = document.createElement("span");
    label.className = "chat-chip-name";
    label.textContent = name;
    var status = document.createElement("span");
    status.className = "chat-chip-status";
    status.textContent = text["attach.uploading"];
    var bar = document.createElement("progress");
    bar.className = "chat-chip-progress";
    bar.max = 1;
    bar.setAttribute("aria-label", text["attach.uploading"]);
    about.append(label, status, bar);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chat-chip-remove";
    remove.setAttribute("aria-label", fill(text["attach.remove"], { name: name }));
    remove.title = remove.getAttribute("aria-label");
    remove.textContent = "×";
    remove.addEventListener("click", function () {
      if (entry.abort) {
        entry.abort();
      }
      drop(entry);
      input.focus();
    });
    item.append(thumb, about, remove);
    entry.item = item;
    entry.status = status;
    entry.bar = bar;
    return item;
  }

  function progress(entry, fraction) {
    var percent = Math.min(99, Math.round(fraction * 100));
    entry.bar.value = percent / 100;
    entry.status.textContent = fill(text["attach.progress"], { percent: percent });
  }

  function ready(entry, attachment) {
    entry.attachment = attachment;
    entry.abort = null;
    entry.item.dataset.state = "ready";
    entry.bar.remove();
    entry.status.textContent = humanSize(Number(attachment.size) || entry.file.size);
    if (attachment.is_image === true && typeof attachment.url === "string" &&
        attachment.url.charAt(0) === "/" && attachment.url.charAt(1) !== "/") {
      var thumb = entry.item.querySelector(".chat-chip-thumb");
      var image = document.createElement("img");
      image.src = attachment.url;
      image.alt = "";
      thumb.textContent = "";
      thumb.appendChild(image);
    }
    sync();
  }

  function messages() {
    return {
      tooLarge: text["attach.too_large"],
      unsupported: text["attach.unsupported"],
      rateLimited: text["attach.rate_limited"],
      failed: text["attach.failed"],
    };
  }

  function start(file) {
    var entry = { file: file, item: null, attachment: null, abort: null };
    entries.push(entry);
    trayNode.appendChild(buildChip(entry));
    var controller = "AbortController" in window ? new AbortController() : null;
    entry.abort = controller ? controller.abort.bind(controller) : null;
    sync();
    uploader.upload(file, {
      shopSlug: chat.shop,
      visitorToken: chat.visitorToken(),
      identityToken: config.identity || "",
      messages: messages(),
      signal: controller ? controller.signal : undefined,
      onProgress: function (fraction) {
        progress(entry, fraction);
      },
    }).then(function (attachment) {
      if (entries.indexOf(entry) !== -1) {
        ready(entry, attachment);
      }
    }, function (error) {
      if (entries.indexOf(entry) === -1 || error.code === "aborted") {
        return;  // removed while uploading
      }
      drop(entry);
      problem(file.name, SHOWN_AS_IS[error.status] ? error.message : text["attach.failed"]);
    });
  }

  // Checks what the browser can know before sending a byte; the server checks the rest.
  function add(files) {
    clearProblems();
    if (!chat.visitorToken()) {
      problem("", text["attach.failed"]);  // not connected yet: no one to upload for
      return;
    }
    var room = MAX_FILES - entries.length;
    if (files.length > room) {
      problem("", fill(text["attach.too_many"], { max: MAX_FILES }));
      files = files.slice(0, Math.max(0, room));
    }
    files.forEach(function (file) {
      if (!file.size) {
        problem(file.name, text["attach.failed"]);
      } else if (MAX_BYTES && file.size > MAX_BYTES) {
        problem(file.name, fill(text["attach.too_large"], { max: humanSize(MAX_BYTES) }));
      } else {
        start(file);
      }
    });
  }

  function filesOf(list) {
    return Array.prototype.slice.call(list || []).filter(function (file) {
      return file && typeof file.name === "string";
    });
  }

  // ---- wiring --------------------------------------------------------------------------------

  button.hidden = false;
  button.addEventListener("click", function () {
    picker.click();
  });

  picker.addEventListener("change", function () {
    var files = filesOf(picker.files);
    picker.value = "";  // the same file may be picked again after removing it
    if (files.length) {
      add(files);
    }
    input.focus();
  });

  // A screenshot pasted into the message box is sent like a picked file.
  input.addEventListener("paste", function (event) {
    var files = filesOf(event.clipboardData && event.clipboardData.files);
    if (files.length) {
      event.preventDefault();
      add(files);
    }
  });

  function carriesFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return Boolean(types) && Array.prototype.indexOf.call(types, "Files") !== -1;
  }

  composer.addEventListener("dragover", function (event) {
    if (carriesFiles(event)) {
      event.preventDefault();
      composer.classList.add("is-dropping");
    }
  });
  composer.addEventListener("dragleave", function () {
    composer.classList.remove("is-dropping");
  });
  composer.addEventListener("drop", function (event) {
    composer.classList.remove("is-dropping");
    if (carriesFiles(event)) {
      event.preventDefault();
      add(filesOf(event.dataTransfer.files));
    }
  });

  chat.useTray({
    busy: function () {
      if (uploading()) {
        clearProblems();
        problem("", text["attach.wait"]);
        return true;
      }
      return false;
    },
    take: function () {
      var files = entries.map(function (entry) {
        return entry.attachment;
      });
      if (files.length) {
        entries.forEach(function (entry) {
          entry.item.remove();
        });
        entries = [];
        clearProblems();
        sync();
      }
      return files;
    },
  });
})();
