/* The volunteer's console (docs/chat-protocol.md). Plain JavaScript, nothing loaded from
 * elsewhere. What the young person writes is inserted with textContent, never as markup, and
 * nothing is stored in the browser. */
(function () {
  "use strict";

  var strings = JSON.parse(document.getElementById("console-strings").textContent);
  var root = document.getElementById("console");
  var status = document.getElementById("connection");
  var queueList = document.getElementById("queue");
  var template = document.getElementById("conversation-template");
  var container = document.getElementById("conversations");
  var panels = {};  // conversation id -> {element, number, parts}
  var counter = 0;
  var socket = null;
  var retryDelay = 1000;
  var stopped = false;  // replaced by another console, or signed out: no reconnecting
  // Each message gets an id of its own, kept until the server answers `sent` and sent again
  // after a reconnect; what arrives is numbered (`seq`): a number shown is dropped, and every
  // one is acknowledged (docs/chat-protocol.md, Delivery).
  var idPrefix = Math.random().toString(36).slice(2, 10);
  var sentCounter = 0;
  var transferring = null;  // the panel whose "Transfer" asked for the colleagues

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, name) {
      return values[name] === undefined ? "" : String(values[name]);
    });
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
      return true;
    }
    status.textContent = strings.disconnected;
    return false;
  }

  function describe(answers) {
    var parts = [];
    if (answers.age) { parts.push(format(strings.age, { age: answers.age })); }
    if (answers.gender) { parts.push(strings.genders[answers.gender] || answers.gender); }
    if (answers.concern) { parts.push(strings.concerns[answers.concern] || answers.concern); }
    return parts.length ? parts.join(" · ") : strings.no_answers;
  }

  function minutes(seconds) { return Math.max(0, Math.round(seconds / 60)); }

  function renderQueue(queue) {
    queueList.textContent = "";
    document.getElementById("queue-count").textContent = String(queue.length);
    document.getElementById("queue-empty").hidden = queue.length > 0;
    var now = Date.now();
    queue.forEach(function (entry) {
      var item = document.createElement("li");
      var waited = (now - Date.parse(entry.waiting_since)) / 1000;
      var text = document.createElement("span");
      text.textContent = format(strings.waiting, { minutes: minutes(waited) }) + " – " + describe(entry.intake) + " ";
      var take = document.createElement("button");
      take.type = "button";
      take.textContent = strings.take;
      take.addEventListener("click", function () { send({ type: "take", conversation: entry.id }); });
      item.appendChild(text);
      item.appendChild(take);
      queueList.appendChild(item);
    });
  }

  function part(panel, name) { return panel.element.querySelector("[data-field=" + name + "]"); }

  function addLine(panel, who, text) {
    var log = part(panel, "messages");
    var item = document.createElement("li");
    item.className = who === "notice" ? "notice-line" : "message " + who;
    if (who === "notice") {
      item.textContent = text;
    } else {
      var label = document.createElement("span");
      label.className = "who";
      label.textContent = who === "me" ? strings.you : strings.young;
      var content = document.createElement("p");
      content.className = "text";
      content.textContent = text;  // always text, never markup
      item.appendChild(label);
      item.appendChild(content);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function setState(panel, conversation) {
    var ended = conversation.state === "ended";
    part(panel, "state").textContent = strings.states[conversation.state] || conversation.state;
    panel.element.classList.toggle("ended", ended);
    part(panel, "controls").hidden = ended;
    part(panel, "refer").hidden = ended;
    panel.element.querySelector("[data-form=message]").hidden = ended;
    part(panel, "after").hidden = !ended || panel.recorded;
    if (ended && conversation.record) { part(panel, "record").href = conversation.record; }
  }

  function markRecorded(panel) {
    // Saved (in any tab): it cannot be registered again.
    panel.recorded = true;
    panel.element.classList.add("recorded");
    part(panel, "after").hidden = true;
    part(panel, "state").textContent = strings.recorded;
    addLine(panel, "notice", strings.recorded);
  }

  function fillNotes(panel, notes) {
    var form = panel.element.querySelector("[data-form=notes]");
    Array.prototype.forEach.call(form.querySelectorAll("[data-name]"), function (input) {
      var name = input.getAttribute("data-name");
      var value = notes[name];
      if (input.type === "radio") { input.checked = value === input.value; }
      else if (input.type === "checkbox") { input.checked = (value || []).indexOf(input.value) >= 0; }
      else if (value !== undefined && value !== null) { input.value = String(value); }
    });
  }

  function readNotes(panel) {
    var notes = { violence: [] };
    var form = panel.element.querySelector("[data-form=notes]");
    Array.prototype.forEach.call(form.querySelectorAll("[data-name]"), function (input) {
      var name = input.getAttribute("data-name");
      if (input.type === "radio") { if (input.checked) { notes[name] = input.value; } }
      else if (input.type === "checkbox") { if (input.checked) { notes.violence.push(input.value); } }
      else if (input.value) { notes[name] = name === "age" || name === "district" ? parseInt(input.value, 10) : input.value; }
    });
    return notes;
  }

  function showCodes(panel, codes) {
    part(panel, "codes").textContent = codes.length
      ? strings.codes + " " + codes.map(function (c) { return c.code + " (" + c.destination + ")"; }).join(", ")
      : "";
  }

  function panelFor(conversation) {
    var panel = panels[conversation.id];
    if (panel) { return panel; }
    counter += 1;
    var element = template.content.firstElementChild.cloneNode(true);
    panel = { element: element, id: conversation.id, codes: [], shown: 0, unsent: [], ackTimer: null };
    panels[conversation.id] = panel;
    // Each panel's radio groups are its own.
    Array.prototype.forEach.call(element.querySelectorAll("input[type=radio]"), function (input) {
      input.name = input.getAttribute("data-name") + "-" + counter;
    });
    part(panel, "title").textContent = format(strings.conversation, { n: counter });
    part(panel, "intake").textContent = strings.answers + " " + describe(conversation.intake || {});
    var id = conversation.id;
    element.querySelector("[data-form=message]").addEventListener("submit", function (event) {
      event.preventDefault();
      var box = part(panel, "text");
      if (!box.value.trim()) { return; }
      sentCounter += 1;
      var message = { type: "message", conversation: id, text: box.value, id: idPrefix + "-" + sentCounter };
      if (send(message)) {
        panel.unsent.push(message);
        addLine(panel, "me", box.value);
        box.value = "";
        send({ type: "typing", conversation: id, active: false });
        panel.typing = false;
      }
    });
    part(panel, "text").addEventListener("input", function () {
      if (!panel.typing) { panel.typing = send({ type: "typing", conversation: id, active: true }); }
      window.clearTimeout(panel.typingTimer);
      panel.typingTimer = window.setTimeout(function () {
        if (panel.typing) { send({ type: "typing", conversation: id, active: false }); panel.typing = false; }
      }, 4000);
    });
    part(panel, "text").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        element.querySelector("[data-form=message]").requestSubmit();
      }
    });
    element.querySelector("[data-action=canned]").addEventListener("click", function () {
      var chosen = part(panel, "canned").value;
      if (chosen) { part(panel, "text").value = chosen; part(panel, "text").focus(); }
    });
    element.querySelector("[data-action=refer]").addEventListener("click", function () {
      send({ type: "refer", conversation: id, service: part(panel, "service").value });
    });
    element.querySelector("[data-form=notes]").addEventListener("submit", function (event) {
      event.preventDefault();
      send({ type: "note", conversation: id, notes: readNotes(panel) });
    });
    element.querySelector("[data-action=end]").addEventListener("click", function () {
      if (window.confirm(strings.confirm_end)) { send({ type: "end", conversation: id }); }
    });
    Array.prototype.forEach.call(element.querySelectorAll("[data-action=block]"), function (button) {
      button.addEventListener("click", function () {
        if (window.confirm(strings.confirm_block)) { send({ type: "block", conversation: id }); }
      });
    });
    // The form opens once per conversation: the same named tab each time it is clicked.
    part(panel, "record").target = "record-" + conversation.id;
    part(panel, "record").addEventListener("click", function () {
      part(panel, "record").textContent = strings.record_opened;
    });
    // A transfer: who is online comes from the server (`colleagues`), then `transfer`.
    element.querySelector("[data-action=transfer]").addEventListener("click", function () {
      transferring = panel;
      send({ type: "colleagues" });
    });
    element.querySelector("[data-action=transfer-to]").addEventListener("click", function () {
      var chosen = parseInt(part(panel, "colleague").value, 10);
      if (chosen) { send({ type: "transfer", conversation: id, to: chosen }); }
    });
    element.querySelector("[data-action=transfer-cancel]").addEventListener("click", function () {
      part(panel, "transfer").hidden = true;
    });
    element.querySelector("[data-action=discard]").addEventListener("click", function () {
      send({ type: "discard", conversation: id });
    });
    container.appendChild(element);
    document.getElementById("mine-empty").hidden = true;
    fillNotes(panel, Object.assign({}, conversation.intake || {}, conversation.notes || {}));
    showCodes(panel, conversation.codes || []);
    panel.codes = (conversation.codes || []).slice();
    setState(panel, conversation);
    if (conversation.away) { part(panel, "presence").textContent = strings.young_away; }
    return panel;
  }

  function offerColleagues(panel, colleagues) {
    var select = part(panel, "colleague");
    select.textContent = "";
    colleagues.forEach(function (colleague) {
      var option = document.createElement("option");
      option.value = String(colleague.id);
      option.textContent = colleague.name + " (" + (strings.colleague_status[colleague.status] || colleague.status) + ")";
      select.appendChild(option);
    });
    if (!colleagues.length) {
      addLine(panel, "notice", strings.no_colleagues);
      return;
    }
    part(panel, "transfer").hidden = false;
    select.focus();
  }

  function removePanel(id) {
    var panel = panels[id];
    if (!panel) { return; }
    container.removeChild(panel.element);
    delete panels[id];
    document.getElementById("mine-empty").hidden = Object.keys(panels).length > 0;
  }

  // True if this numbered message was shown already; else it is acknowledged (shown now).
  function seen(panel, message) {
    if (typeof message.seq !== "number") { return false; }
    if (message.seq <= panel.shown) { return true; }
    panel.shown = message.seq;
    acknowledge(panel);
    return false;
  }

  // Acknowledgements are cumulative: one per conversation for everything shown within a
  // tenth of a second (a burst handed over after a reconnect costs one). Lost with a drop,
  // they are made good by the numbers: the new socket hands over again, and what was shown
  // is dropped.
  function acknowledge(panel) {
    if (panel.ackTimer) { return; }
    panel.ackTimer = window.setTimeout(function () {
      panel.ackTimer = null;
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: "ack", conversation: panel.id, seq: panel.shown }));
      }
    }, 100);
  }

  function receive(message) {
    var panel = message.conversation && typeof message.conversation === "string" ? panels[message.conversation] : null;
    switch (message.type) {
      case "hello":
        status.textContent = strings.connected;
        renderQueue(message.queue);
        // Conversations recorded or put aside elsewhere (another tab) are gone from the server.
        var known = message.conversations.map(function (c) { return c.id; });
        Object.keys(panels).forEach(function (id) { if (known.indexOf(id) < 0) { removePanel(id); } });
        message.conversations.forEach(function (conversation) {
          var existing = panels[conversation.id];
          if (existing) { setState(existing, conversation); } else { panelFor(conversation); }
          // What had no `sent` before the connection went is sent again, in order.
          if (existing && conversation.state === "active") {
            existing.unsent.forEach(function (unsent) { send(unsent); });
          }
        });
        break;
      case "sent":
        if (panel) {
          panel.unsent = panel.unsent.filter(function (unsent) { return unsent.id !== message.id; });
        }
        break;
      case "queue":
        renderQueue(message.queue);
        break;
      case "taken":
        panel = panelFor(message.conversation);
        addLine(panel, "notice", message.from ? format(strings.taken_from, { name: message.from }) : strings.taken);
        panel.element.querySelector("h3").focus();
        break;
      case "colleagues":
        if (transferring && panels[transferring.id]) { offerColleagues(transferring, message.colleagues); }
        break;
      case "transferred":
        // Not this volunteer's any more: the panel goes, the status line says to whom.
        status.textContent = format(strings.transferred, { name: message.to });
        removePanel(message.conversation);
        break;
      case "message":
        if (panel && !seen(panel, message)) {
          part(panel, "typing").textContent = "";
          addLine(panel, "them", message.text);
        }
        break;
      case "typing":
        if (panel) { part(panel, "typing").textContent = message.active ? strings.typing : ""; }
        break;
      case "presence":
        if (panel) {
          var text = message.state === "away" ? strings.young_away : strings.young_back;
          part(panel, "presence").textContent = message.state === "away" ? text : "";
          addLine(panel, "notice", text);
        }
        break;
      case "noted":
        if (panel) { part(panel, "noted").textContent = strings.noted; }
        break;
      case "referral":
        if (panel) {
          panel.codes.push({ code: message.code, destination: message.destination });
          showCodes(panel, panel.codes);
          addLine(panel, "notice", format(strings.code_given, { code: message.code, destination: message.destination }));
        }
        break;
      case "ended":
        if (panel) {
          setState(panel, { state: "ended", record: message.record });
          addLine(panel, "notice", strings["ended_" + message.by] || strings.ended_volunteer);
          part(panel, "presence").textContent = "";
        }
        break;
      case "blocked":
        if (panel) { addLine(panel, "notice", strings.blocked); }
        break;
      case "discarded":
        removePanel(message.conversation);
        break;
      case "recorded":
        if (panel) { markRecorded(panel); }
        break;
      case "replaced":
        stop(strings.replaced, true);
        break;
      case "signed_out":
        stop(strings.signed_out, false);
        break;
      case "error":
        status.textContent = message.message || strings["error_" + message.code] || strings.error;
        break;
      default:
        break;
    }
  }

  function stop(text, offerHere) {
    stopped = true;
    status.textContent = text;
    var again = document.getElementById("use-here");
    again.hidden = !offerHere;
  }

  document.getElementById("use-here").addEventListener("click", function () {
    document.getElementById("use-here").hidden = true;
    stopped = false;
    status.textContent = strings.disconnected;
    connect();
  });

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + root.getAttribute("data-socket-path"));
    socket.addEventListener("open", function () { retryDelay = 1000; });
    socket.addEventListener("message", function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (_e) { return; }
      receive(message);
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      if (event.code === 4009) { stop(strings.replaced, true); }
      if (event.code === 4401) { stop(strings.signed_out, false); }
      if (stopped) { return; }
      if (event.code === 1006 && retryDelay > 8000) {
        status.textContent = strings.refused;
      } else {
        status.textContent = strings.disconnected;
      }
      window.setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
    });
  }
  connect();
}());
