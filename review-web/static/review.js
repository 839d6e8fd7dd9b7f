// Keyboard review on the asset page (the forms work without it): ←/→ or j/k move between
// cards, a approve, x reject, r regenerate, p primary, 1–9 toggle tag chips, ? lists the keys.
(() => {
  const cards = [...document.querySelectorAll('.card')];
  if (cards.length === 0) return;
  let at = Math.max(
    0,
    cards.findIndex((c) => location.hash === `#${c.id}`),
  );
  const focus = (i) => {
    at = (i + cards.length) % cards.length;
    cards.forEach((c, n) => c.classList.toggle('current', n === at));
    cards[at].focus({ preventScroll: false });
  };
  focus(at);
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement || e.metaKey || e.ctrlKey || e.altKey) return;
    const key = e.key;
    if (key === 'ArrowRight' || key === 'j') return focus(at + 1);
    if (key === 'ArrowLeft' || key === 'k') return focus(at - 1);
    if (key === '?') return alert('←/→ or j/k move · a approve · x reject · r regenerate · p primary · 1–9 tags');
    const button = cards[at].querySelector(`button[data-key="${CSS.escape(key)}"]`);
    if (button) {
      e.preventDefault();
      button.click();
    }
  });
})();
