// voxdial console: try an assistant by voice, on its page (<section data-voice-try="ID">).
//
// Start: the console mints a one-call token (POST /assistants/ID/voice, with the page's
// CSRF token), the page opens the assistant's websocket in its browser framing and sends
// `{"type": "start", "token"}`. From `started` on, the microphone goes out as 16 kHz
// 16-bit PCM frames (mic-worklet.js downsamples it on the audio thread); the assistant's
// PCM comes back and is played in order; `clear` (the callee talked over it) drops what
// is queued; `transcript` messages add lines to the log; `ended` links to the call.
// Hang up sends `{"type": "stop"}`. Text from the socket is only ever set as textContent.
(function () {
  "use strict";

  var RATE = 16000; // the socket's PCM rate, both ways
  var script = document.currentScript;
  var version = script && script.src ? new URL(script.src).search : "";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (e) {
      return "";
    }
  }

  function VoiceTry(card) {
    this.card = card;
    this.assistant = card.getAttribute("data-voice-try");
    this.startButton = card.querySelector("[data-voice-start]");
    this.stopButton = card.querySelector("[data-voice-stop]");
    this.status = card.querySelector("[data-voice-status]");
    this.log = card.querySelector("#voice-log");
    this.ended = card.querySelector("[data-voice-ended]");
    this.callLink = card.querySelector("[data-voice-call]");
    this.speaking = card.querySelector("[data-voice-speaking]");
    this.reset();
    var self = this;
    this.startButton.addEventListener("click", function () { self.start(); });
    this.stopButton.addEventListener("click", function () { self.hangUp(); });
  }

  VoiceTry.prototype.reset = function () {
    this.ctx = null;
    this.mic = null;
    this.ws = null;
    this.live = false;
    this.playAt = 0;
    this.sources = [];
    this.sessionId = "";
  };

  VoiceTry.prototype.say = function (key, detail) {
    var text = this.card.getAttribute("data-msg-" + key) || key;
    this.status.textContent = detail ? text + " " + detail : text;
  };

  VoiceTry.prototype.event = function (text) {
    var li = document.createElement("li");
    li.className = "line event";
    li.textContent = text;
    this.log.appendChild(li);
  };

  VoiceTry.prototype.line = function (who, text) {
    var li = document.createElement("li");
    li.className = "line " + (who === "callee" ? "callee" : "assistant");
    var name = document.createElement("span");
    name.className = "who";
    name.textContent = this.card.getAttribute("data-who-" + (who === "callee" ? "callee" : "assistant"));
    var words = document.createElement("span");
    words.className = "text";
    words.textContent = text;
    li.appendChild(name);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(words);
    this.log.appendChild(li);
    this.log.scrollTop = this.log.scrollHeight;
  };

  VoiceTry.prototype.start = async function () {
    if (this.ws) return;
    this.startButton.disabled = true;
    this.ended.hidden = true;
    this.log.textContent = "";
    this.say("connecting");
    // made inside the click, so that the browser lets it play
    this.ctx = new AudioContext();
    try {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        throw new Error(this.card.getAttribute("data-msg-no-mic"));
      }
      var minted = await fetch("/assistants/" + this.assistant + "/voice", {
        method: "POST",
        headers: { "X-CSRF-Token": csrfToken() },
        credentials: "same-origin",
      });
      if (!minted.ok) throw new Error("HTTP " + minted.status);
      var grant = await minted.json();
      this.mic = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
      await this.ctx.audioWorklet.addModule("/static/mic-worklet.js" + version);
      await this.ctx.resume();
      var node = new AudioWorkletNode(this.ctx, "mic-pcm", {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        channelCount: 1,
        processorOptions: { rate: RATE },
      });
      this.ctx.createMediaStreamSource(this.mic).connect(node);
      node.connect(this.ctx.destination); // it outputs silence; connected, it is run
      this.open(grant, node);
    } catch (e) {
      this.say("failed", e && e.message ? e.message : String(e));
      this.finish();
    }
  };

  VoiceTry.prototype.open = function (grant, node) {
    var self = this;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + grant.socket);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    node.port.onmessage = function (e) {
      if (self.live && ws.readyState === WebSocket.OPEN) ws.send(e.data);
    };
    ws.onopen = function () {
      ws.send(JSON.stringify({ type: "start", token: grant.token }));
    };
    ws.onmessage = function (e) {
      if (typeof e.data !== "string") {
        self.play(e.data);
        return;
      }
      var message;
      try { message = JSON.parse(e.data); } catch (err) { return; }
      if (message.type === "started") {
        self.live = true;
        self.sessionId = String(message.sessionId || "");
        self.stopButton.hidden = false;
        self.say("live");
      } else if (message.type === "transcript") {
        self.line(message.who, String(message.text || ""));
      } else if (message.type === "clear") {
        self.silence();
      } else if (message.type === "ended") {
        (message.collected || []).forEach(function (c) {
          if (c && c.hit) self.event("\u2713 " + String(c.question) + " \u2192 " + String(c.result));
        });
      }
    };
    ws.onclose = function (e) {
      var wasLive = self.live;
      self.live = false;
      if (wasLive) {
        self.say("ended");
      } else {
        self.say("failed", e.reason || "(" + e.code + ")");
      }
      if (self.sessionId) {
        self.callLink.href = "/calls/" + encodeURIComponent(self.sessionId);
        self.ended.hidden = false;
      }
      self.finish();
    };
  };

  VoiceTry.prototype.play = function (data) {
    var ctx = this.ctx;
    if (!ctx || data.byteLength < 2) return;
    var pcm = new Int16Array(data, 0, data.byteLength >> 1);
    var buffer = ctx.createBuffer(1, pcm.length, RATE);
    var out = buffer.getChannelData(0);
    for (var i = 0; i < pcm.length; i++) out[i] = pcm[i] / 32768;
    var source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(ctx.destination);
    var at = Math.max(ctx.currentTime + 0.05, this.playAt);
    source.start(at);
    this.playAt = at + buffer.duration;
    var sources = this.sources, speaking = this.speaking;
    sources.push(source);
    speaking.hidden = false;
    source.onended = function () {
      var i = sources.indexOf(source);
      if (i >= 0) sources.splice(i, 1);
      if (!sources.length) speaking.hidden = true;
    };
  };

  VoiceTry.prototype.silence = function () {
    this.sources.splice(0).forEach(function (s) {
      try { s.stop(); } catch (e) { /* it had not started */ }
    });
    this.playAt = 0;
    this.speaking.hidden = true;
  };

  // the call ends once the assistant has heard what was said last (the server's `ended`)
  VoiceTry.prototype.hangUp = function () {
    var ws = this.ws;
    this.stopButton.disabled = true;
    this.say("hanging-up");
    if (this.mic) this.mic.getTracks().forEach(function (t) { t.stop(); });
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "stop" }));
    else if (ws) ws.close();
  };

  // after the call: the microphone off, the audio let play out, the buttons back
  VoiceTry.prototype.finish = function () {
    var ctx = this.ctx;
    if (this.mic) this.mic.getTracks().forEach(function (t) { t.stop(); });
    if (ctx) {
      var left = Math.max(0, this.playAt - ctx.currentTime);
      setTimeout(function () { ctx.close().catch(function () {}); }, left * 1000 + 100);
    }
    this.reset();
    this.stopButton.hidden = true;
    this.stopButton.disabled = false;
    this.startButton.disabled = false;
  };

  window.addEventListener("load", function () {
    document.querySelectorAll("[data-voice-try]").forEach(function (card) {
      new VoiceTry(card);
    });
  });
})();
