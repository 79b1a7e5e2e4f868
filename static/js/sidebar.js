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
  // A keyboard visitor tabbing into the sidebar deep in an article: its top part is above
  // the window (sticky at its bottom), and the browser cannot scroll a sticky element's
  // part into view. The sidebar is moved until focus leaves it, just enough to show it.
  sidebar.addEventListener("focusin", (event) => {
    if (!wide.matches) return;
    const box = event.target.getBoundingClientRect();
    if (box.top >= 0 && box.bottom <= innerHeight) return;
    const margin = 16;
    const shift = box.top < 0 ? margin - box.top : innerHeight - margin - box.bottom;
    const top = sidebar.getBoundingClientRect().top + shift;
    sidebar.style.setProperty("--sidebar-top", `${top}px`);
  });
  sidebar.addEventListener("focusout", (event) => {
    if (!sidebar.contains(event.relatedTarget)) sidebar.style.removeProperty("--sidebar-top");
  });
  wide.addEventListener("change", follow);
  follow();
})();
