// Marks each .scroll-hint box whose scroller ([data-scroller]) has more to either side, so CSS shows
// its fade and arrow. Runs once per page load; follows scrolling, resizing and re-rendering.
(() => {
  if (window.__hiorderScrollHint) return;
  window.__hiorderScrollHint = true;
  let queued = false;
  const update = () => {
    queued = false;
    for (const box of document.querySelectorAll(".scroll-hint")) {
      const s = box.querySelector("[data-scroller]") || box.querySelector("[role=tablist]");
      if (!s) continue;
      const start = String(s.scrollLeft > 1), end = String(s.scrollLeft + s.clientWidth < s.scrollWidth - 1);
      if (box.dataset.moreStart !== start) box.dataset.moreStart = start;
      if (box.dataset.moreEnd !== end) box.dataset.moreEnd = end;
    }
  };
  const queue = () => { if (!queued) { queued = true; requestAnimationFrame(update); } };
  document.addEventListener("scroll", queue, true);
  window.addEventListener("resize", queue);
  new MutationObserver(queue).observe(document.body, {childList: true, subtree: true, characterData: true});
  queue();
})();
