/* Kefu chat: uploading an image or file from the visitor's side.

   window.KefuChatUpload.upload(file, {shopSlug, visitorToken, identityToken?, base?, messages?,
   onProgress?, signal?}) resolves to the stored attachment {id, name, content_type, size,
   is_image, url}; send its id in the "attachment_ids" of a send frame (at most 5 per message).
   It rejects with an Error whose .code is the server's error code (payload_too_large,
   unsupported_media_type, rate_limited, bad_visitor_token, ...) and whose .message is ready to
   show. ``messages`` may override the texts (e.g. translated): {tooLarge: "... {max} ...",
   unsupported, rateLimited, failed}. ``onProgress(fraction)`` is called as the bytes go out;
   aborting ``signal`` cancels the upload (code "aborted"). */
(function () {
  "use strict";

  var TEXTS = {
    tooLarge: "文件太大，最大 {max}。",
    unsupported: "只能发送图片、PDF、文本或 Office 文档。",
    rateLimited: "上传太频繁，请稍后再试。",
    failed: "上传失败，请重试。"
  };

  function humanSize(bytes) {
    if (bytes < 1024 * 1024) { return Math.round(bytes / 1024) + " KB"; }
    return Math.round(bytes / 1024 / 1024) + " MB";
  }

  function failure(status, body, texts) {
    var error = (body && body.error) || {};
    var message;
    if (status === 413) {
      var max = error.details && error.details.max_bytes;
      message = texts.tooLarge.replace("{max}", max ? humanSize(max) : "");
    } else if (status === 415) {
      message = texts.unsupported;
    } else if (status === 429) {
      message = texts.rateLimited;
    } else {
      message = error.message || texts.failed;
    }
    var result = new Error(message);
    result.code = error.code || "http_" + status;
    result.status = status;
    return result;
  }

  function plainError(message, code) {
    var result = new Error(message);
    result.code = code;
    return result;
  }

  function parsed(raw) {
    try {
      return JSON.parse(raw);
    } catch (error) {
      return null;
    }
  }

  function upload(file, options) {
    options = options || {};
    var texts = Object.assign({}, TEXTS, options.messages || {});
    if (!options.shopSlug || !options.visitorToken) {
      return Promise.reject(new Error("shopSlug and visitorToken are required"));
    }
    var data = new FormData();
    data.append("file", file, file.name);
    var url = (options.base || "") + "/api/v1/webchat/" +
      encodeURIComponent(options.shopSlug) + "/attachments";
    var headers = { "X-Kefu-Visitor": options.visitorToken, "Accept": "application/json" };
    if (options.identityToken) {
      // A signed-in customer: the same identity token the chat socket was opened with.
      headers["X-Kefu-Identity"] = options.identityToken;
    }
    // XMLHttpRequest rather than fetch: only it reports how much of the body has gone out.
    return new Promise(function (resolve, reject) {
      var request = new XMLHttpRequest();
      request.open("POST", url);
      request.withCredentials = false;
      Object.keys(headers).forEach(function (name) {
        request.setRequestHeader(name, headers[name]);
      });
      if (typeof options.onProgress === "function" && request.upload) {
        request.upload.onprogress = function (event) {
          if (event.lengthComputable && event.total) {
            options.onProgress(event.loaded / event.total);
          }
        };
      }
      request.onload = function () {
        var body = parsed(request.responseText);
        if (request.status >= 200 && request.status < 300 && body && body.attachment) {
          resolve(body.attachment);
        } else {
          reject(failure(request.status, body, texts));
        }
      };
      request.onerror = function () {
        reject(plainError(texts.failed, "network_error"));
      };
      request.onabort = function () {
        reject(plainError(texts.failed, "aborted"));
      };
      if (options.signal) {
        if (options.signal.aborted) {
          reject(plainError(texts.failed, "aborted"));
          return;
        }
        options.signal.addEventListener("abort", function () {
          request.abort();
        });
      }
      request.send(data);
    });
  }

  window.KefuChatUpload = { upload: upload };
})();
