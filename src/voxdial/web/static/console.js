// voxdial console: the few behaviours htmx attributes do not cover. No inline scripts
// anywhere (the CSP): pages opt in with data- attributes.
(function () {
  "use strict";

  // --- charts: <canvas data-chart="bar|doughnut|hours" data-chart-values='{...}'> ---
  var charts = new Map();
  var palette = ["#1d4ed8", "#059669", "#d97706", "#dc2626", "#7c3aed", "#0891b2",
    "#65a30d", "#db2777", "#4b5563", "#9333ea", "#0d9488"];

  function drawCharts(root) {
    if (typeof window.Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var old = charts.get(canvas);
      if (old) return;
      var spec = JSON.parse(canvas.getAttribute("data-chart-values") || "{}");
      var kind = canvas.getAttribute("data-chart");
      var config;
      if (kind === "hours") {
        var names = JSON.parse(canvas.getAttribute("data-series-names") || '["", ""]');
        config = { type: "bar", data: { labels: spec.labels, datasets: [
          { label: names[0], data: spec.attempts, backgroundColor: "#93c5fd" },
          { label: names[1], data: spec.answered, backgroundColor: "#1d4ed8" }] } };
      } else if (kind === "doughnut") {
        if (!spec.data || !spec.data.length) return;
        config = { type: "doughnut", data: { labels: spec.labels, datasets: [
          { data: spec.data, backgroundColor: palette } ] } };
      } else {
        config = { type: "bar", data: { labels: spec.labels, datasets: [
          { data: spec.data, backgroundColor: palette } ] },
          options: { plugins: { legend: { display: false } } } };
      }
      config.options = Object.assign({ animation: false, responsive: true,
        maintainAspectRatio: false }, config.options || {});
      charts.set(canvas, new window.Chart(canvas, config));
    });
  }

  function forgetCharts(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = charts.get(canvas);
      if (chart) { chart.destroy(); charts.delete(canvas); }
    });
  }

  // --- the number file drop zone -------------------------------------------------
  function wireDropzones(root) {
    root.querySelectorAll("[data-dropzone]").forEach(function (zone) {
      if (zone.dataset.wired) return;
      zone.dataset.wired = "1";
      var input = zone.querySelector("input[type=file]");
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("over"); });
      });
      zone.addEventListener("drop", function (e) {
        e.preventDefault();
        if (!e.dataTransfer || !e.dataTransfer.files.length) return;
        input.files = e.dataTransfer.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  }

  // --- transcript lines seek the recording --------------------------------------
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("[data-seek]") : null;
    if (!button) return;
    var audio = document.getElementById("recording");
    if (!audio) return;
    audio.currentTime = Number(button.getAttribute("data-seek")) / 1000;
    var played = audio.play();
    if (played && played.catch) played.catch(function () {});
  });

  // --- try it in text -------------------------------------------------------------
  document.addEventListener("click", function (e) {
    if (!e.target.matches || !e.target.matches("[data-try-restart]")) return;
    var session = document.getElementById("try-session");
    var log = document.getElementById("try-log");
    if (session) session.value = "";
    if (log) log.textContent = "";
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.target;
    if (form.matches && form.matches("form[data-reset-after]") && e.detail.successful) {
      var text = form.querySelector("input[name=text]");
      if (text) { text.value = ""; text.focus(); }
      var log = document.getElementById("try-log");
      if (log) log.scrollTop = log.scrollHeight;
    }
  });

  // --- the assistant editor: fields of bridged transfers only shown for bridged ----
  // (without scripts they are always shown, and the server ignores them for blind)
  function showBridged(root) {
    root.querySelectorAll("[data-transfer]").forEach(function (box) {
      var mode = box.querySelector("select[name=tt_mode]");
      var only = box.querySelector("[data-bridged-only]");
      if (mode && only) only.hidden = mode.value !== "bridged";
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-transfer] select[name=tt_mode]")) showBridged(document);
  });

  document.addEventListener("htmx:beforeSwap", function (e) { forgetCharts(e.detail.target); });
  document.addEventListener("htmx:afterSettle", function (e) {
    drawCharts(document); wireDropzones(document);
  });
  window.addEventListener("load", function () {
    drawCharts(document); wireDropzones(document); showBridged(document);
  });
})();
