// The calendars page's "Kopieer adres" buttons: copy a feed's address for pasting into Outlook,
// Google or Thunderbird. The address is also a link next to the button, so without JavaScript
// (or where the clipboard is refused, as on file://) it can still be selected and copied.
(function () {
  function copied(button) {
    var label = button.textContent;
    button.textContent = button.getAttribute("data-done") || label;
    setTimeout(function () { button.textContent = label; }, 2000);
  }

  function selectLink(button) {
    var link = button.previousElementSibling;
    if (!link) return;
    var range = document.createRange();
    range.selectNodeContents(link);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.querySelectorAll("button.lts-copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { copied(button); },
                                                  function () { selectLink(button); });
      } else {
        selectLink(button);  // the reader copies it with Ctrl+C
      }
    });
  });
})();
