/* The young person's chat (docs/chat-protocol.md). Plain JavaScript, nothing loaded from
 * elsewhere. Text from the other side is always inserted with textContent, never as markup.
 * Nothing is stored but the resume token, in this tab's sessionStorage, removed at the end. */
(function () {
  "use strict";

  var strings = JSON.parse(document.getElementById("chat-strings").textContent);
  var body = document.body;
  var exitUrl = body.getAttribute("data-exit-url");
  var TOKEN = "samverkan-chat-resume";
  var GRACE_MS = 120000;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, name) {
      return values[name] === undefined ? "" : String(values[name]);
    });
  }

  function $(id) { return document.getElementById(id); }

  /* Quick exit: the button, or Escape twice within a second. location.replace puts the
   * neutral site in this page's place in the history, so Back does not return to the chat. */
  var socket = null;
  var leaving = false;
  function quickExit(event) {
    if (event) { event.preventDefault(); }
    leaving = true;
    try { sessionStorage.removeItem(TOKEN); } catch (_e) { /* storage may be off */ }
    if (socket) { try { socket.close(); } catch (_e2) { /* already closed */ } }
    document.title = "";
    body.hidden = true;
    window.location.replace(exitUrl);
  }
  $("quick-exit").addEventListener("click", quickExit);
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - lastEscape < 1000) { quickExit(event); }
    lastEscape = now;
  });

  var intro = $("intro");
  if (!intro) { return; }  // closed: nothing else to do
  var sections = { intro: intro, waiting: $("waiting"), conversation: $("conversation"), ended: $("ended") };
  var status = $("status");
  var messages = $("messages");
  var typing = $("typing");
  var textarea = $("message");
  var state = "intro";
  var retryUntil = 0;
  var retryDelay = 1000;
  var typingSent = false;
  var typingTimer = null;
  var otherTypingTimer = null;

  function show(name, focus) {
    state = name;
    Object.keys(sections).forEach(function (key) { sections[key].hidden = key !== name; });
    if (focus) {
      var heading = sections[name].querySelector("h1");
      if (heading) { heading.focus(); }
    }
  }

  function say(text) { status.textContent = text; }

  function token(value) {
    try {
      if (value === undefined) { return sessionStorage.getItem(TOKEN); }
      if (value === null) { sessionStorage.removeItem(TOKEN); } else { sessionStorage.setItem(TOKEN, value); }
    } catch (_e) { return null; }
    return value;
  }

  function addMessage(who, text) {
    var item = document.createElement("li");
    item.className = "message " + who;
    var label = document.createElement("span");
    label.className = "who";
    label.textContent = who === "me" ? strings.you : strings.volunteer;
    var content = document.createElement("p");
    content.className = "text";
    content.textContent = text;  // always text, never markup
    item.appendChild(label);
    item.appendChild(content);
    messages.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function addNotice(text) {
    var item = document.createElement("li");
    item.className = "notice-line";
    item.textContent = text;
    messages.appendChild(item);
  }

  function addReferral(message) {
    messages.appendChild(referralItem(message));
    // Kept on the page after the end too, so the young person can still note it.
    $("codes").appendChild(referralItem(message));
    $("ended-codes").hidden = false;
  }

  function referralItem(message) {
    var item = document.createElement("li");
    item.className = "referral";
    var title = document.createElement("p");
    title.textContent = format(strings.referral, { destination: message.destination });
    var code = document.createElement("p");
    code.className = "code";
    code.textContent = message.code;
    item.appendChild(title);
    item.appendChild(code);
    [message.address, message.opening_hours, message.contact].forEach(function (detail) {
      if (detail) {
        var line = document.createElement("p");
        line.textContent = detail;
        item.appendChild(line);
      }
    });
    var note = document.createElement("p");
    note.className = "hint";
    note.textContent = format(strings.referral_note, { date: message.expires });
    item.appendChild(note);
    return item;
  }

  // Each message gets an id of its own, kept until the server answers `sent` and sent again
  // after a resume; what arrives is numbered (`seq`): a number shown is dropped, and every one
  // is acknowledged (docs/chat-protocol.md, Delivery). In memory only, never stored.
  var idPrefix = Math.random().toString(36).slice(2, 10);
  var sentCounter = 0;
  var unsent = [];
  var shown = 0;

  var ackTimer = null;

  function seen(message) {
    if (typeof message.seq !== "number") { return false; }
    if (message.seq <= shown) { return true; }
    shown = message.seq;
    acknowledge();
    return false;
  }

  // Acknowledgements are cumulative: one for everything shown within a tenth of a second
  // (a burst handed over after a reconnect costs one). Lost with a drop, they are made good
  // by the numbers: the new socket hands over again, and what was shown is dropped.
  function acknowledge() {
    if (ackTimer !== null) { return; }
    ackTimer = window.setTimeout(function () {
      ackTimer = null;
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: "ack", seq: shown }));
      }
    }, 100);
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
      return true;
    }
    say(strings.reconnecting);
    return false;
  }

  function connect(first) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + body.getAttribute("data-socket-path"));
    socket.addEventListener("open", function () {
      retryDelay = 1000;
      var saved = token();
      if (saved) {
        socket.send(JSON.stringify({ type: "resume", token: saved }));
      } else if (first) {
        socket.send(JSON.stringify(first));
      }
    });
    socket.addEventListener("message", function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (_e) { return; }
      receive(message);
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      if (event.code === 4009) {
        // Another tab or device resumed this chat with the token: it goes on there.
        token(null);
        say(strings.replaced);
        show("ended", false);
        return;
      }
      if (leaving || state === "intro" || state === "ended") { return; }
      // The connection dropped during a conversation: try again for up to two minutes.
      if (!retryUntil) { retryUntil = Date.now() + GRACE_MS; }
      if (Date.now() > retryUntil || !token()) {
        token(null);
        say(strings.lost);
        show("ended", true);
        return;
      }
      say(strings.reconnecting);
      window.setTimeout(function () { connect(null); }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    });
  }

  function receive(message) {
    switch (message.type) {
      case "queued":
        shown = 0;
        unsent = [];
        token(message.resume);
        show("waiting", true);
        $("position").textContent = format(strings.position, { n: message.position });
        break;
      case "position":
        $("position").textContent = format(strings.position, { n: message.position });
        break;
      case "resumed":
        retryUntil = 0;
        token(message.resume);  // a token is good for one resume: keep the next
        if (message.state === "waiting") {
          show("waiting", false);
          $("position").textContent = format(strings.position, { n: message.position });
        } else {
          show("conversation", false);
          unsent.forEach(function (again) { send(again); });
        }
        say(strings.reconnected);
        break;
      case "joined":
        show("conversation", true);
        addNotice(strings.joined);
        say(strings.joined);
        textarea.focus();
        break;
      case "sent":
        unsent = unsent.filter(function (again) { return again.id !== message.id; });
        break;
      case "message":
        if (seen(message)) { break; }
        typing.textContent = "";
        addMessage("them", message.text);
        break;
      case "typing":
        typing.textContent = message.active ? strings.typing : "";
        window.clearTimeout(otherTypingTimer);
        if (message.active) {
          otherTypingTimer = window.setTimeout(function () { typing.textContent = ""; }, 8000);
        }
        break;
      case "presence":
        addNotice(message.state === "away" ? strings.volunteer_away : strings.volunteer_back);
        break;
      case "transferred":
        // Another volunteer goes on with the chat: a neutral notice, nothing else changes.
        typing.textContent = "";
        addNotice(strings.transferred);
        break;
      case "referral":
        if (!seen(message)) { addReferral(message); }
        break;
      case "ended":
        token(null);
        retryUntil = 0;
        typing.textContent = "";
        show("ended", true);
        say(strings["ended_" + message.by] || strings.ended_volunteer);
        break;
      case "thanks":
        $("feedback").hidden = true;
        $("thanks").hidden = false;
        $("thanks").focus();
        break;
      case "error":
        if (message.code === "resume_failed") {
          token(null);
          if (state !== "intro") { show("ended", true); }
          break;
        }
        say(strings["error_" + message.code] || strings.error);
        if (["closed", "rate_limited", "blocked"].indexOf(message.code) >= 0) {
          show("intro", false);
          $("start-button").disabled = true;
        }
        break;
      default:
        break;
    }
  }

  $("intake").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var intake = {};
    var age = form.querySelector("[name=age]");
    if (age && age.value) { intake.age = parseInt(age.value, 10); }
    ["gender", "concern"].forEach(function (name) {
      var chosen = form.querySelector("[name=" + name + "]:checked");
      if (chosen && chosen.value) { intake[name] = chosen.value; }
    });
    say(strings.connecting);
    connect({ type: "start", intake: intake });
  });

  $("composer").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = textarea.value;
    if (!text.trim()) { return; }
    sentCounter += 1;
    var message = { type: "message", text: text, id: idPrefix + "-" + sentCounter };
    if (send(message)) {
      unsent.push(message);
      addMessage("me", text);
      textarea.value = "";
      stopTyping();
    }
  });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  function stopTyping() {
    window.clearTimeout(typingTimer);
    if (typingSent) { send({ type: "typing", active: false }); typingSent = false; }
  }
  textarea.addEventListener("input", function () {
    if (!typingSent) { typingSent = send({ type: "typing", active: true }); }
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(stopTyping, 4000);
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-action=end]"), function (button) {
    button.addEventListener("click", function () {
      if (window.confirm(strings.confirm_end)) { send({ type: "end" }); }
    });
  });

  $("feedback").addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = event.target.querySelector("[name=answer]:checked");
    if (chosen) { send({ type: "feedback", answer: chosen.value }); }
  });

  // A tab that was in a conversation (reloaded, or back after a drop) returns to it.
  if (token()) {
    say(strings.reconnecting);
    show("waiting", false);
    $("position").textContent = "";
    connect(null);
  }
}());
