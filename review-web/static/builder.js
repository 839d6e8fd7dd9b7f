// Greenlight rule builder: the page is a plain form that works without this
// script. With it, the form's own buttons (add / remove / move, "Use this
// JSON", Check, Dry-run) answer in place instead of loading a page, the JSON
// view follows the form as it changes, the form follows the JSON as it is
// typed, and each field's error is said beside it. The server does every
// conversion and check (one code path with and without JavaScript).
(() => {
  'use strict';
  const inPlace = /^(add-cond|add-group|remove-cond|add-action|up|down|remove-action|refresh|from-json|check|dry-run)(:|$)/;
  // Changing these reshapes the form (other fields, other operators): re-rendered in place.
  const reshapes = (name) =>
    name === 'trigger.kind' ||
    name === 'trigger.event' ||
    name === 'scope.kind' ||
    /^a\.\d+\.key$/.test(name) ||
    /^c(\.\d+)+\.(field|op)$/.test(name);

  const form = () => document.getElementById('builder');
  const body = (f, op) => {
    const data = new URLSearchParams(new FormData(f));
    data.set('_op', op);
    return data;
  };
  const post = (op, accept, sent) => {
    const f = form();
    return fetch(f.action, {
      method: 'POST',
      body: sent ?? body(f, op),
      headers: { accept: accept ?? 'text/html' },
      credentials: 'same-origin',
    });
  };

  /**
   * Put the form of `doc` (the server's answer) in place of the current one, keeping focus, and keeping
   * whatever was typed while the answer was on its way (a control whose value differs from what was sent).
   */
  function swap(doc, opts) {
    const next = doc.getElementById('builder');
    const cur = form();
    if (!next || !cur) return;
    if (opts.sent)
      for (const el of cur.elements) {
        if (!el.name || el.type === 'submit' || el.type === 'radio' || el.type === 'checkbox') continue;
        if (el.value === (opts.sent.get(el.name) ?? '')) continue;
        const twin = next.querySelector(`[name="${CSS.escape(el.name)}"]`);
        if (twin) twin.value = el.value;
      }
    const active = document.activeElement;
    const focusName = active && cur.contains(active) ? active.getAttribute('name') : null;
    const caret = focusName && 'selectionStart' in active ? active.selectionStart : null;
    if (opts.keepJson) {
      const mine = cur.querySelector('[name="json"]');
      const theirs = next.querySelector('[name="json"]');
      if (mine && theirs) theirs.value = mine.value;
    }
    cur.replaceWith(next);
    const target = (opts.focus && next.querySelector(opts.focus)) || (focusName && next.querySelector(`[name="${CSS.escape(focusName)}"]`));
    if (target) {
      target.focus();
      if (caret !== null && typeof target.setSelectionRange === 'function' && target.type === 'text')
        target.setSelectionRange(caret, caret);
    }
    if (opts.scroll) next.querySelector(opts.scroll)?.scrollIntoView({ block: 'start' });
  }

  async function inPlaceSubmit(op) {
    const sent = body(form(), op);
    const res = await post(op, undefined, sent);
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    swap(doc, { sent, scroll: op === 'dry-run' ? '#preview' : op === 'check' && !res.ok ? '#error-summary' : null });
    document.dispatchEvent(new CustomEvent('builder:updated', { detail: { op, status: res.status } }));
  }

  /** Say each problem beside its control; take away the ones fixed. */
  function showProblems(problems) {
    const f = form();
    for (const old of f.querySelectorAll('small.field-error[data-for]')) old.remove();
    for (const el of f.querySelectorAll('[aria-invalid]')) {
      el.removeAttribute('aria-invalid');
      el.removeAttribute('aria-describedby');
    }
    for (const [name, message] of Object.entries(problems)) {
      const el = f.querySelector(`[name="${CSS.escape(name)}"]`);
      const label = el?.closest('label.ctl');
      if (!el || !label) continue;
      const id = `err-ctl-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
      const small = document.createElement('small');
      small.className = 'field-error';
      small.id = id;
      small.dataset.for = name;
      small.textContent = message;
      label.append(small);
      el.setAttribute('aria-invalid', 'true');
      el.setAttribute('aria-describedby', id);
    }
  }

  let syncing = 0;
  async function sync() {
    const mine = ++syncing;
    const res = await post('sync', 'application/json');
    if (!res.ok || mine !== syncing) return;
    const { json, problems } = await res.json();
    const box = form().querySelector('[name="json"]');
    if (box && document.activeElement !== box) box.value = json;
    showProblems(problems);
    document.dispatchEvent(new CustomEvent('builder:synced'));
  }

  async function fromJson() {
    const sent = body(form(), 'from-json');
    const res = await post('from-json', undefined, sent);
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    if (res.ok) swap(doc, { keepJson: true });
    else {
      const err = doc.querySelector('small.field-error[data-for="json"]');
      showProblems(err ? { json: err.textContent } : {});
    }
    document.dispatchEvent(new CustomEvent('builder:synced'));
  }

  const debounce = (fn, ms) => {
    let t = 0;
    return () => {
      clearTimeout(t);
      t = setTimeout(fn, ms);
    };
  };
  const syncSoon = debounce(sync, 150);
  const fromJsonSoon = debounce(fromJson, 400);

  document.addEventListener('submit', (e) => {
    if (e.target !== form()) return;
    const op = e.submitter?.value ?? 'check';
    if (!inPlace.test(op)) return; // save, enable, run: a real post and its redirect
    e.preventDefault();
    void inPlaceSubmit(op);
  });
  document.addEventListener('change', (e) => {
    const el = e.target;
    if (!form()?.contains(el) || !el.name || el.name === 'json' || el.name.startsWith('dry.') || el.name === 'addKey') return;
    if (reshapes(el.name)) void inPlaceSubmit('refresh');
    else syncSoon();
  });
  document.addEventListener('input', (e) => {
    if (form()?.contains(e.target) && e.target.name === 'json') fromJsonSoon();
  });
})();
