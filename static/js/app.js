// Keyboard shortcuts of the recruiter pages: j / k step to the next / previous candidate,
// Esc goes back to the list. A shortcut is a link marked data-shortcut="next|previous|back",
// so every one also works as a plain link without JavaScript.
(function () {
  "use strict";

  var SHORTCUTS = { j: "next", k: "previous", Escape: "back" };

  function isTyping(element) {
    return Boolean(
      element &&
        (element.isContentEditable ||
          (element.closest && element.closest("input, textarea, select, [contenteditable]")))
    );
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (isTyping(event.target)) return;
    var name = SHORTCUTS[event.key];
    if (!name) return;
    var link = document.querySelector('[data-shortcut="' + name + '"]');
    if (!link) return;
    event.preventDefault();
    link.click();
  });
})();
