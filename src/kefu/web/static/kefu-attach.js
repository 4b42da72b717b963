/* Kefu agent UI: images and files in replies. Adds a file picker to the reply form; each file
   is uploaded at once (POST /api/v1/attachments) and its id goes with the reply as a hidden
   attachment_ids field. Without this file the form simply sends text. */
(function () {
  "use strict";

  var script = document.currentScript;
  var text = script ? script.dataset : {};
  var MAX_FILES = Number(text.maxFiles || 5);

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function humanSize(bytes) {
    if (bytes < 1024) { return bytes + " B"; }
    if (bytes < 1024 * 1024) { return (bytes / 1024).toFixed(1) + " kB"; }
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function errorText(response, body) {
    var error = body && body.error;
    if (response.status === 413) {
      var max = error && error.details && error.details.max_bytes;
      return (text.tooLarge || "").replace("{max}", max ? humanSize(max) : "");
    }
    if (response.status === 415) { return text.unsupported || ""; }
    return (error && error.message) || text.failed || "";
  }

  function upload(file) {
    var data = new FormData();
    data.append("file", file, file.name);
    return fetch("/api/v1/attachments", {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (!response.ok || !body || !body.attachment) {
          throw new Error(errorText(response, body));
        }
        return body.attachment;
      });
    });
  }

  function ids(form) {
    return form.querySelectorAll('input[name="attachment_ids"]');
  }

  // A message of files alone needs no text: the textarea is required only without files.
  function syncRequired(form) {
    var body = form.querySelector("#reply-body");
    if (body) { body.required = ids(form).length === 0; }
  }

  function showError(box, message) {
    var error = box.querySelector(".attach-error");
    error.textContent = message;
    error.hidden = !message;
  }

  function addChip(form, box, attachment) {
    var list = box.querySelector(".attach-list");
    var item = document.createElement("li");
    item.className = "attach-chip";
    var name = document.createElement("span");
    name.className = "file-name";
    name.textContent = attachment.name;  // text, never markup
    var size = document.createElement("span");
    size.className = "file-size muted small";
    size.textContent = " " + humanSize(attachment.size);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button ghost small";
    remove.textContent = text.remove || "×";
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "attachment_ids";
    hidden.value = String(attachment.id);
    remove.addEventListener("click", function () {
      item.remove();
      syncRequired(form);
    });
    item.append(name, size, remove, hidden);
    list.appendChild(item);
    syncRequired(form);
  }

  function onPick(form, box, input) {
    var files = Array.prototype.slice.call(input.files || []);
    input.value = "";
    if (ids(form).length + files.length > MAX_FILES) {
      showError(box, (text.tooMany || "").replace("{max}", String(MAX_FILES)));
      return;
    }
    showError(box, "");
    var status = box.querySelector(".attach-status");
    status.hidden = false;
    files.reduce(function (previous, file) {
      return previous.then(function () {
        return upload(file).then(function (attachment) {
          addChip(form, box, attachment);
        }, function (error) {
          showError(box, file.name + ": " + error.message);
        });
      });
    }, Promise.resolve()).then(function () { status.hidden = true; });
  }

  function enhance() {
    var form = document.getElementById("reply-form");
    if (!form || form.dataset.attachReady || !form.querySelector("#reply-body")) { return; }
    form.dataset.attachReady = "1";
    var box = document.createElement("div");
    box.className = "attach-box";
    var label = document.createElement("label");
    label.className = "button ghost small attach-button";
    var input = document.createElement("input");
    input.type = "file";
    input.multiple = true;
    input.className = "visually-hidden";
    input.accept = "image/jpeg,image/png,image/gif,image/webp,application/pdf,text/plain," +
      ".docx,.xlsx,.pptx";
    label.append(input, document.createTextNode(text.button || "+"));
    var status = document.createElement("span");
    status.className = "attach-status muted small";
    status.textContent = text.uploading || "";
    status.hidden = true;
    var error = document.createElement("p");
    error.className = "attach-error field-error";
    error.setAttribute("role", "alert");
    error.hidden = true;
    var list = document.createElement("ul");
    list.className = "attach-list";
    box.append(label, status, list, error);
    var actions = form.querySelector(".reply-actions");
    form.insertBefore(box, actions || null);
    input.addEventListener("change", function () { onPick(form, box, input); });
  }

  document.addEventListener("DOMContentLoaded", enhance);
  // The reply form is replaced after each send (and on errors): enhance the new one.
  document.addEventListener("htmx:load", enhance);
  if (document.readyState !== "loading") { enhance(); }
})();
