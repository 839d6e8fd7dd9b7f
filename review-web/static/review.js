// The review web's enhancements (every page works without them):
// - keyboard review on the asset page: ←/→ or j/k move between cards, a approve, x reject,
//   r regenerate, p primary, 1–9 toggle tag chips, ? lists the keys;
// - live pages: a decision made in chat, the API or another tab refreshes what the page shows
//   (the page's SSE stream from the engine's change feed; EventSource reconnects by itself).
(() => {
  let at = -1;
  const cards = () => [...document.querySelectorAll('.card')];
  const focus = (i) => {
    const list = cards();
    if (list.length === 0) return;
    at = (i + list.length) % list.length;
    list.forEach((c, n) => c.classList.toggle('current', n === at));
    list[at].focus({ preventScroll: false });
  };
  const start = cards().findIndex((c) => location.hash === `#${c.id}`);
  focus(Math.max(0, start));
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement || e.metaKey || e.ctrlKey || e.altKey || at < 0) return;
    const key = e.key;
    if (key === 'ArrowRight' || key === 'j') return focus(at + 1);
    if (key === 'ArrowLeft' || key === 'k') return focus(at - 1);
    if (key === '?') return alert('←/→ or j/k move · a approve · x reject · r regenerate · p primary · 1–9 tags');
    const button = cards()[at]?.querySelector(`button[data-key="${CSS.escape(key)}"]`);
    if (button) {
      e.preventDefault();
      button.click();
    }
  });

  const live = document.body.dataset.live;
  if (!live || typeof EventSource === 'undefined') return;
  let timer = null;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void update().catch(() => undefined), 100); // a failed refresh waits for the next change
  };
  const update = async () => {
    {
      const res = await fetch(location.pathname + location.search, { credentials: 'same-origin' });
      if (!res.ok) return;
      const next = new DOMParser().parseFromString(await res.text(), 'text/html');
      // Cards by id (a card being typed in is left alone), then the rest of the page's text.
      const typing = document.activeElement instanceof HTMLInputElement ? document.activeElement.closest('.card') : null;
      for (const card of next.querySelectorAll('.card')) {
        const here = document.getElementById(card.id);
        if (here && here !== typing && here.innerHTML !== card.innerHTML) here.innerHTML = card.innerHTML;
        if (here) here.className = `${card.className}${here.classList.contains('current') ? ' current' : ''}`;
      }
      const banner = document.querySelector('.halt');
      const nextBanner = next.querySelector('.halt');
      if (banner && !nextBanner) banner.remove();
      else if (nextBanner && !banner) document.querySelector('header').after(nextBanner);
      else if (banner && nextBanner) banner.textContent = nextBanner.textContent;
      if (document.querySelectorAll('.card').length === 0) document.querySelector('main').innerHTML = next.querySelector('main').innerHTML;
      document.body.dataset.refreshed = String(Date.now());
    }
  };
  const stream = new EventSource(live);
  stream.addEventListener('open', () => (document.body.dataset.liveOpen = '1'));
  stream.addEventListener('change', refresh);
  stream.addEventListener('resync', refresh);
  window.addEventListener('pagehide', () => stream.close());
})();
