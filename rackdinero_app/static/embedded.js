// Tell Rackbeat how tall this page is, so its iframe fits; poll a job's progress when asked.
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

  var progress = document.querySelector("[data-status-url]");
  if (progress) {
    var url = progress.getAttribute("data-status-url");
    var poll = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "omit" })
        .then(function (response) { return response.json(); })
        .then(function (status) {
          if (status.finished) { window.location.reload(); } else { setTimeout(poll, 700); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 500);
  }
})();
