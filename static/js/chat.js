/* Kollegan chat: live messages over the chat socket (Django Channels).
   The page works without this file: forms post and pages reload. With it,
   messages are sent over the socket and everything arrives live; after a
   dropped connection it reconnects and asks for what it missed. */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  var texts = document.getElementById("chat-texts");
  if (!root || !root.dataset.socket || !window.WebSocket) { return; }
  var t = function (name) { return (texts && texts.dataset[name]) || ""; };
  var me = Number(root.dataset.me);
  var view = root.dataset.view;
  var conversation = Number(root.dataset.conversation || 0);
  var list = document.getElementById("chat-messages");
  var form = root.querySelector("[data-chat-form]");
  var statusLine = root.querySelector("[data-chat-status]");
  var socket = null;
  var retry = 0;
  var stopped = false;
  var lastAt = null;
  var pending = {};
  var readTimer = null;
  var inboxTimer = null;
  var pingTimer = null;

  function status(text) { if (statusLine) { statusLine.textContent = text; } }

  // Access to this conversation (or the whole chat) has ended: say so plainly
  // and take the form away, so nobody types into a box that cannot send.
  function lock(text) {
    status(text);
    if (statusLine) { statusLine.classList.add("chat-status--alert"); }
    if (form) {
      Array.prototype.forEach.call(form.elements, function (field) { field.disabled = true; });
    }
  }

  function lastId() {
    var items = list ? list.querySelectorAll("[data-message]") : [];
    return items.length ? Number(items[items.length - 1].dataset.message) : 0;
  }

  function send(data) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(data));
      return true;
    }
    return false;
  }

  function fragment(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var node = holder.content.firstElementChild;
    if (node && Number(node.dataset.author) !== me) {
      var own = node.querySelector("[data-own]");
      if (own) { own.remove(); }
    }
    return node;
  }

  function headerUnread(delta) {
    var link = document.querySelector("[data-chat-unread]");
    if (!link) { return; }
    var count = Math.max(0, Number(link.dataset.chatUnread || 0) + delta);
    link.dataset.chatUnread = String(count);
    link.classList.toggle("chat-link--unread", count > 0);
    var badge = link.querySelector(".bell__count");
    var holder = link.querySelector(".chat-link__unread");
    if (!holder) { return; }
    if (count === 0) { holder.textContent = ""; return; }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "bell__count";
      holder.textContent = "";
      holder.appendChild(badge);
    }
    badge.textContent = count > 99 ? "99+" : String(count);
  }

  function markRead() {
    if (view !== "conversation" || root.dataset.newest !== "1") { return; }
    if (document.visibilityState !== "visible") { return; }
    clearTimeout(readTimer);
    readTimer = setTimeout(function () {
      send({ type: "read", conversation: conversation, message: lastId() });
    }, 300);
  }

  function refreshInbox() {
    clearTimeout(inboxTimer);
    inboxTimer = setTimeout(function () {
      fetch(window.location.pathname, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          var inbox = document.getElementById("chat-inbox");
          if (html !== null && inbox) { inbox.innerHTML = html; }
        });
    }, 250);
  }

  function showMessage(item) {
    if (!list) { return; }
    var node = fragment(item.html);
    if (!node) { return; }
    var existing = list.querySelector('[data-message="' + item.id + '"]');
    if (existing) { existing.replaceWith(node); return; }
    if (item.id <= lastId()) { return; }
    if (root.dataset.newest !== "1") {
      status(t("newer"));
      return;
    }
    var empty = list.querySelector(".chat-empty");
    if (empty) { empty.remove(); }
    var nearBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 200;
    list.appendChild(node);
    var read = root.querySelector("[data-chat-read]");
    if (read) { read.remove(); }
    if (nearBottom || item.author === me) { node.scrollIntoView({ block: "end" }); }
  }

  function onMessage(item) {
    var here = view === "conversation" && item.conversation === conversation;
    if (item.new && item.author !== me && !here) { headerUnread(1); }
    if (view === "list") { refreshInbox(); return; }
    if (here) {
      showMessage(item);
      if (item.new && item.author !== me) { markRead(); }
    }
  }

  function onRead(item) {
    if (item.conversation !== conversation || item.member === me || !list) { return; }
    var mine = list.querySelectorAll('[data-author="' + me + '"]');
    var last = list.querySelector("[data-message]:last-of-type");
    if (!mine.length || !last || Number(last.dataset.author) !== me) { return; }
    if (item.message >= Number(last.dataset.message) && !root.querySelector("[data-chat-read]")) {
      var line = document.createElement("p");
      line.className = "chat-read muted";
      line.setAttribute("data-chat-read", "");
      line.textContent = t("read");
      list.after(line);
    }
  }

  function showErrors(lines) {
    var box = form && form.querySelector("[data-chat-errors]");
    if (!box) { return; }
    box.textContent = "";
    if (!lines.length) { return; }
    var summary = document.createElement("div");
    summary.className = "error-summary";
    summary.setAttribute("role", "alert");
    var ul = document.createElement("ul");
    lines.forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      ul.appendChild(li);
    });
    summary.appendChild(ul);
    box.appendChild(summary);
  }

  function onReply(data) {
    var entry = pending[data.ref];
    if (!entry) { return; }
    delete pending[data.ref];
    clearTimeout(entry.timer);
    var button = form.querySelector("button[type=submit]");
    button.disabled = false;
    var confirmBox = form.querySelector("[data-chat-confirm]");
    if (data.type === "ack") {
      form.querySelector("textarea").value = "";
      var tick = form.querySelector("input[name=confirmed]");
      if (tick) { tick.checked = false; }
      if (confirmBox) { confirmBox.hidden = true; }
      showErrors([]);
      form.querySelector("textarea").focus();
      return;
    }
    showErrors(data.messages || [t("failed")]);
    if (data.code === "needs_confirmation" && confirmBox) { confirmBox.hidden = false; }
  }

  function onData(event) {
    var data;
    try { data = JSON.parse(event.data); } catch (error) { return; }
    if (data.at) { lastAt = data.at; }
    switch (data.type) {
      case "message": onMessage(data); break;
      case "read": onRead(data); break;
      case "sync": (data.items || []).forEach(function (item) { onMessage(item); }); markRead(); break;
      case "ack": onReply(data); break;
      case "error": if (data.ref) { onReply(data); } else { status((data.messages || []).join(" ")); } break;
      case "joined": if (view === "list") { refreshInbox(); } break;
      case "removed":
        if (data.conversation === conversation) { lock(t("removed")); }
        if (view === "list") { refreshInbox(); }
        break;
      case "closed": stopped = true; lock(t("ended")); break;
    }
  }

  function connect() {
    socket = new WebSocket(root.dataset.socket);
    socket.addEventListener("open", function () {
      retry = 0;
      status(t("connected"));
      if (view === "conversation") {
        var ask = { type: "sync", conversation: conversation, after: lastId() };
        if (lastAt) { ask.since = lastAt; }
        send(ask);
      }
      clearInterval(pingTimer);
      pingTimer = setInterval(function () { send({ type: "ping" }); }, 25000);
    });
    socket.addEventListener("message", onData);
    socket.addEventListener("close", function (event) {
      clearInterval(pingTimer);
      Object.keys(pending).forEach(function (ref) { onReply({ type: "error", ref: ref, messages: [t("failed")] }); });
      if (stopped || event.code === 4003) { stopped = true; lock(t("ended")); return; }
      if (event.code === 4001) { status(t("offline")); return; }
      retry = Math.min(retry + 1, 6);
      status(t("reconnecting"));
      setTimeout(connect, Math.min(30000, 500 * Math.pow(2, retry)));
    });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]");
      if (file && file.files && file.files.length) { return; }
      if (!socket || socket.readyState !== WebSocket.OPEN) { return; }
      event.preventDefault();
      var ref = String(Date.now()) + Math.random().toString(16).slice(2);
      var tick = form.querySelector("input[name=confirmed]");
      var sent = send({
        type: "send",
        ref: ref,
        conversation: conversation,
        body: form.querySelector("textarea").value,
        confirmed: Boolean(tick && tick.checked)
      });
      if (!sent) { form.submit(); return; }
      form.querySelector("button[type=submit]").disabled = true;
      pending[ref] = {
        timer: setTimeout(function () { onReply({ type: "error", ref: ref, messages: [t("failed")] }); }, 10000)
      };
    });
    form.querySelector("textarea").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }

  document.addEventListener("visibilitychange", markRead);
  if (view === "conversation" && list) {
    var newest = list.querySelector("[data-message]:last-of-type");
    if (newest && !window.location.hash && root.dataset.newest === "1") { newest.scrollIntoView({ block: "end" }); }
  }
  connect();
}());
