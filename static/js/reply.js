// Tells the server how long the reply form took to fill (scripts post in a blink), and
// brings a refused reply's visitor to what needs fixing.
(() => {
  "use strict";
  // A refused reply comes back with a summary of what to fix: take the visitor there,
  // once the browser has finished going to #respond (which would take focus back).
  const summary = document.getElementById("reply-errors");
  if (summary) window.addEventListener("load", () => summary.focus());
  const form = document.querySelector("form[data-reply-form]");
  if (!form) return;
  let started = 0;
  form.addEventListener("input", () => { started ||= performance.now(); }, { once: true });
  form.addEventListener("submit", () => {
    const seconds = started ? (performance.now() - started) / 1000 : 0;
    form.elements.namedItem("elapsed").value = seconds.toFixed(1);
  });
})();
