// Keeps the sidebar beside a long article on a desktop: site.css makes it sticky with an
// offset that needs its height, which only a script can tell. Without it the sidebar
// simply scrolls away with the page.
(() => {
  "use strict";
  const sidebar = document.querySelector(".sidebar");
  if (!sidebar || !window.ResizeObserver) return;
  new ResizeObserver(([entry]) => {
    sidebar.style.setProperty("--sidebar-height", `${entry.borderBoxSize[0].blockSize}px`);
  }).observe(sidebar);
  sidebar.dataset.sticky = "";
})();
