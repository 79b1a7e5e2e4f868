// Tells the server how long the reply form took to fill: scripts post in a blink.
(() => {
  "use strict";
  const form = document.querySelector("form[data-reply-form]");
  if (!form) return;
  let started = 0;
  form.addEventListener("input", () => { started ||= performance.now(); }, { once: true });
  form.addEventListener("submit", () => {
    const seconds = started ? (performance.now() - started) / 1000 : 0;
    form.elements.namedItem("elapsed").value = seconds.toFixed(1);
  });
})();
