// Tell Rackbeat how tall this page is, so its iframe fits; poll a job's progress when asked
// (and show it, for a start sync).
(function () {
  var parentOrigin = document.body.getAttribute("data-parent-origin");
  var lastHeight = 0;

  function reportHeight() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== lastHeight && window.parent !== window && parentOrigin) {
      lastHeight = height;
      window.parent.postMessage({ type: "resize", height: height }, parentOrigin);
    }
  }

  window.addEventListener("load", reportHeight);
  window.addEventListener("resize", reportHeight);
  if (window.ResizeObserver) {
    new ResizeObserver(reportHeight).observe(document.body);
  }
  new MutationObserver(reportHeight).observe(document.body, { childList: true, subtree: true });
  reportHeight();

  // A start sync's progress: a bar per kind ("done of total") and the preview's count so far.
  function showProgress(status) {
    Object.keys(status.progress || {}).forEach(function (kind) {
      var counts = status.progress[kind];
      var bar = document.querySelector('[data-progress="' + kind + '"]');
      if (bar) { bar.max = Math.max(counts.total, 1); bar.value = counts.done; }
      var text = document.querySelector('[data-progress-text="' + kind + '"]');
      if (text && text.getAttribute("data-format")) {
        text.textContent = text.getAttribute("data-format")
          .replace("%(done)s", counts.done).replace("%(total)s", counts.total);
      }
    });
    // Any other figure or text the status names (a reconciliation's step, records read, …).
    Array.prototype.forEach.call(document.querySelectorAll("[data-field]"), function (field) {
      var value = status[field.getAttribute("data-field")];
      if (value !== undefined) { field.textContent = value; }
    });
    var checked = document.querySelector("[data-checked]");
    if (checked && typeof status.checked === "number") { checked.textContent = status.checked; }
  }

  var progress = document.querySelector("[data-status-url]");
  if (progress) {
    var url = progress.getAttribute("data-status-url");
    var poll = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (status) {
          if (status.finished) { window.location.reload(); return; }
          showProgress(status);
          setTimeout(poll, 700);
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 500);
  }
})();
