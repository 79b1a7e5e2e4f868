// The gallery's viewer: a thumbnail opens a larger picture in a modal dialog.
// Without this script each thumbnail is a plain link to the picture's own page.
(() => {
  "use strict";
  const dialog = document.querySelector("dialog[data-gallery-viewer]");
  const links = [...document.querySelectorAll("[data-viewer-item]")];
  if (!dialog || !links.length || typeof dialog.showModal !== "function") return;

  // The picture is made here, not in the page: HTML has no valid empty <img>.
  const picture = document.createElement("picture");
  const source = document.createElement("source");
  const image = document.createElement("img");
  picture.className = "viewer__picture";
  source.type = "image/webp";
  image.className = "viewer__image";
  image.alt = "";
  picture.append(source, image);
  dialog.querySelector(".viewer__figure").prepend(picture);
  const title = dialog.querySelector(".viewer__title");
  const caption = dialog.querySelector(".viewer__caption");
  const count = dialog.querySelector(".viewer__count");
  const page = dialog.querySelector(".viewer__page");
  let current = 0;
  let opener = null;

  function show(index) {
    current = (index + links.length) % links.length;
    const data = links[current].dataset;
    // The old picture goes first so a slow network never shows it under the new caption.
    image.removeAttribute("src");
    source.srcset = data.webp;
    source.sizes = data.sizes;
    image.srcset = data.srcset;
    image.sizes = data.sizes;
    image.width = Number(data.width);
    image.height = Number(data.height);
    image.alt = data.alt;
    image.src = data.src;
    title.textContent = data.title;
    caption.textContent = data.caption;
    caption.hidden = !data.caption;
    count.textContent = `Picture ${current + 1} of ${links.length}`;
    page.href = links[current].href;
  }

  function open(index, from) {
    opener = from;
    show(index);
    dialog.showModal();
    dialog.querySelector("[data-viewer-close]").focus();
  }

  links.forEach((link, index) => {
    link.addEventListener("click", (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      open(index, link);
    });
  });

  dialog.addEventListener("click", (event) => {
    const step = event.target.closest("[data-viewer-step]");
    if (step) show(current + Number(step.dataset.viewerStep));
    else if (event.target.closest("[data-viewer-close]") || event.target === dialog) dialog.close();
  });

  dialog.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") { show(current + 1); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
    else if (event.key === "Tab") {
      // Keep Tab inside the dialog: from the last control back to the first, and round.
      const stops = [...dialog.querySelectorAll("a[href], button")].filter((el) => !el.hidden);
      const first = stops[0];
      const last = stops[stops.length - 1];
      if (event.shiftKey && document.activeElement === first) { last.focus(); event.preventDefault(); }
      else if (!event.shiftKey && document.activeElement === last) { first.focus(); event.preventDefault(); }
    }
  });

  // Escape closes a modal dialog natively; either way, focus goes back where it was.
  dialog.addEventListener("close", () => {
    image.removeAttribute("src");
    if (opener) opener.focus();
    opener = null;
  });
})();
