// The start page's feed. "Show more" (htmx) puts the next entries where the button
// was; the button is gone, so the focus moves to the first new entry and keyboard
// and screen-reader users read on from there. Without JavaScript the button is a
// link to the next page, and none of this is needed.
document.addEventListener("htmx:afterSettle", function () {
  var first = document.querySelector("[data-feed-focus]");
  if (first) {
    first.removeAttribute("data-feed-focus");
    first.focus();
  }
});
