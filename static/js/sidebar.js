// Keeps the sidebar beside a long article on a desktop: site.css makes it sticky with an
// offset that needs its height, which only a script can tell. Without it the sidebar
// simply scrolls away with the page. On a phone the sidebar sits under the article and
// nothing is measured (each measure is one more layout while the page loads).
(() => {
  "use strict";
  const sidebar = document.querySelector(".sidebar");
  const wide = window.matchMedia?.("(min-width: 60rem)");
  if (!sidebar || !wide || !window.ResizeObserver) return;
  const observer = new ResizeObserver(([entry]) => {
    sidebar.style.setProperty("--sidebar-height", `${entry.borderBoxSize[0].blockSize}px`);
  });
  const follow = () => {
    if (wide.matches) {
      observer.observe(sidebar);
      sidebar.dataset.sticky = "";
    } else {
      observer.disconnect();
      delete sidebar.dataset.sticky;
    }
  };
  wide.addEventListener("change", follow);
  follow();
})();
