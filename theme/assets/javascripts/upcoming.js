// The overview's "next activities": a static page cannot know today's date, so the page lists
// every activity still to come at build time and this script, in the reader's browser, hides
// the rows dated before today and those after the first `data-show`. Without JavaScript (and on
// paper, where the hidden rows stay hidden only if the script ran) every row stays visible.
(function () {
  function isoToday() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function narrow(box, today) {
    var limit = parseInt(box.getAttribute("data-show"), 10) || 5;
    var shown = 0;
    box.querySelectorAll("tbody tr").forEach(function (row) {
      var mark = row.querySelector("[data-date]");
      var keep = !mark || (mark.getAttribute("data-date") >= today && shown < limit);
      row.hidden = !keep;
      if (keep) shown += 1;
    });
    var table = box.querySelector("table");
    var none = box.querySelector(".lts-upcoming__none");
    if (shown === 0 && table && none) {
      table.hidden = true;
      none.hidden = false;
    }
  }

  var today = isoToday();
  document.querySelectorAll(".lts-upcoming").forEach(function (box) { narrow(box, today); });
})();
