/* Kefu chat: uploading an image or file from the visitor's side.

   window.KefuChatUpload.upload(file, {shopSlug, visitorToken, identityToken?, base?, messages?})
   resolves to the stored attachment {id, name, content_type, size, is_image, url}; send its id
   in the "attachment_ids" of a send frame (at most 5 per message). It rejects with an Error whose .code is the server's
   error code (payload_too_large, unsupported_media_type, rate_limited, bad_visitor_token, ...)
   and whose .message is ready to show. ``messages`` may override the texts (e.g. translated):
   {tooLarge: "... {max} ...", unsupported, rateLimited, failed}. */
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

  function failure(response, body, texts) {
    var error = (body && body.error) || {};
    var message;
    if (response.status === 413) {
      var max = error.details && error.details.max_bytes;
      message = texts.tooLarge.replace("{max}", max ? humanSize(max) : "");
    } else if (response.status === 415) {
      message = texts.unsupported;
    } else if (response.status === 429) {
      message = texts.rateLimited;
    } else {
      message = error.message || texts.failed;
    }
    var result = new Error(message);
    result.code = error.code || "http_" + response.status;
    result.status = response.status;
    return result;
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
    return fetch(url, { method: "POST", body: data, credentials: "omit", headers: headers }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (!response.ok || !body || !body.attachment) {
          throw failure(response, body, texts);
        }
        return body.attachment;
      });
    }, function () {
      var offline = new Error(texts.failed);
      offline.code = "network_error";
      throw offline;
    });
  }

  window.KefuChatUpload = { upload: upload };
})();
