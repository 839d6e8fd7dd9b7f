// The review web's enhancements (every page works without them):
// - keyboard review on the asset page: ←/→ or j/k move between cards, a approve, x reject,
//   r regenerate, p primary, 1–9 toggle tag chips, ? lists the keys;
// - compare: synced zoom (wheel, buttons, + − 0 f; 10 %–800 %, pixelated past 100 %) and pan
//   (drag) across every pane, the wipe position / onion-skin opacity slider;
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
    if (key === '?') return alert('←/→ or j/k move · a approve · x reject · r regenerate · p primary · 1–9 tags · c compare');
    const card = cards()[at];
    const decision = { a: 'approve', x: 'reject', r: 'regenerate', p: 'select' }[key];
    const button = !card
      ? null
      : decision
        ? card.querySelector(`button[name="decision"][value="${decision}"]`)
        : key === 'c'
          ? card.querySelector('input[name="v"]')
          : /^[1-9]$/.test(key)
            ? card.querySelectorAll('.chips button')[Number(key) - 1]
            : null;
    if (button) {
      e.preventDefault();
      button.click();
    }
  });

  compare();

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

  // One view (scale z, offset x/y in the pane's pixels) for every picture on the compare page.
  function compare() {
    const stage = document.getElementById('stage');
    if (!stage) return;
    for (const el of document.querySelectorAll('[data-needs-js]')) el.hidden = false;
    stage.classList.add('zoomable');
    const views = [...stage.querySelectorAll('.view')];
    const imgs = [...stage.querySelectorAll('.layer img')];
    const level = document.getElementById('zoom-level');
    const view = { z: 1, x: 0, y: 0 };
    // Wipe: B shows right of a line at the slider's share of the picture's width; onion skin: B's opacity.
    const mix = document.getElementById('mix');
    const top = stage.querySelector('.layer.b');
    const line = stage.querySelector('.wipe-line');
    function wipe() {
      if (!mix || !top) return;
      const t = Number(mix.value) / 100;
      if (stage.dataset.mode !== 'wipe') return void (top.style.opacity = String(t));
      const n = natural();
      const at = Math.max(0, view.x + t * (n ? n.w : 0) * view.z);
      top.style.clipPath = `inset(0px 0px 0px ${at}px)`;
      if (line) line.style.transform = `translateX(${at}px)`;
    }
    mix?.addEventListener('input', wipe);
    const MIN = 0.1;
    const MAX = 8;
    const box = () => views[0].getBoundingClientRect();
    const natural = () => {
      const img = imgs.find((i) => i.naturalWidth > 0);
      return img ? { w: img.naturalWidth, h: img.naturalHeight } : null;
    };
    let fitted = false;
    const apply = () => {
      for (const img of imgs) img.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.z})`;
      wipe();
      stage.classList.toggle('pixelated', view.z > 1);
      level.textContent = `${Math.round(view.z * 100)}%`;
      stage.dataset.zoom = String(view.z);
    };
    /** Zoom to z around a point of the pane (default its centre): that point stays put. */
    const zoomTo = (z, px, py) => {
      const b = box();
      const cx = px ?? b.width / 2;
      const cy = py ?? b.height / 2;
      const next = Math.min(MAX, Math.max(MIN, z));
      view.x = cx - ((cx - view.x) * next) / view.z;
      view.y = cy - ((cy - view.y) * next) / view.z;
      view.z = next;
      fitted = false;
      apply();
    };
    const fit = () => {
      const n = natural();
      if (!n) return;
      const b = box();
      view.z = Math.min(MAX, Math.max(MIN, Math.min(b.width / n.w, b.height / n.h)));
      view.x = (b.width - n.w * view.z) / 2;
      view.y = (b.height - n.h * view.z) / 2;
      fitted = true;
      apply();
    };
    const actual = () => {
      const n = natural();
      const b = box();
      view.z = 1;
      view.x = n ? (b.width - n.w) / 2 : 0;
      view.y = n ? (b.height - n.h) / 2 : 0;
      fitted = false;
      apply();
    };
    for (const img of imgs) if (!img.complete) img.addEventListener('load', fit, { once: true });
    fit();
    for (const v of views) {
      v.addEventListener(
        'wheel',
        (e) => {
          e.preventDefault();
          const b = v.getBoundingClientRect();
          zoomTo(view.z * Math.exp(-e.deltaY / 300), e.clientX - b.left, e.clientY - b.top);
        },
        { passive: false },
      );
      let drag = null;
      v.addEventListener('pointerdown', (e) => {
        drag = { x: e.clientX, y: e.clientY };
        v.setPointerCapture(e.pointerId);
      });
      v.addEventListener('pointermove', (e) => {
        if (!drag) return;
        view.x += e.clientX - drag.x;
        view.y += e.clientY - drag.y;
        drag = { x: e.clientX, y: e.clientY };
        fitted = false;
        apply();
      });
      const end = () => (drag = null);
      v.addEventListener('pointerup', end);
      v.addEventListener('pointercancel', end);
    }
    const step = Math.SQRT2;
    const actions = { in: () => zoomTo(view.z * step), out: () => zoomTo(view.z / step), 1: actual, fit };
    for (const b of document.querySelectorAll('[data-zoom]')) b.addEventListener('click', () => actions[b.dataset.zoom]());
    document.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLInputElement || e.metaKey || e.ctrlKey || e.altKey) return;
      const run = { '+': actions.in, '=': actions.in, '-': actions.out, 0: actual, f: fit }[e.key];
      if (run) {
        e.preventDefault();
        run();
      }
    });
    // A pane that changes size (window, phone turned) stays fitted if it was.
    new ResizeObserver(() => fitted && fit()).observe(views[0]);
  }
})();
