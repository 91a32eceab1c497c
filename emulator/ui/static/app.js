// credemu's dashboard. Every figure comes from the control API
// (/_emulator/...), called with the page's sandbox and, when the emulator
// has one, its admin token. Everything a client sent is shown with
// textContent, never parsed as HTML: a journal entry cannot run a script.
'use strict';

const ui = {
  sandbox: sessionStorage.getItem('credemu.sandbox') || '',
  token: sessionStorage.getItem('credemu.token') || '',
  tab: 'world',
  lastSeq: 0,
  entries: [],
  timer: null,
};

const $ = (id) => document.getElementById(id);

// el builds an element: el('td', {class: 'x'}, 'text', child, ...).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'onclick') e.addEventListener('click', v);
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function say(text, isError) {
  const s = $('status');
  s.textContent = text;
  s.className = isError ? 'error' : 'muted';
}

// api calls the control API and returns its decoded answer; a 401 asks
// for the token and tries once more.
async function api(method, path, body, {yaml = false, raw = false, retried = false} = {}) {
  const headers = {};
  if (ui.sandbox) headers['X-Emulator-Sandbox'] = ui.sandbox;
  if (ui.token) headers['Authorization'] = 'Bearer ' + ui.token;
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = yaml ? 'application/yaml' : 'application/json';
    payload = yaml ? body : JSON.stringify(body);
  }
  const r = await fetch('/_emulator' + path, {method, headers, body: payload, credentials: 'omit', cache: 'no-store'});
  if (r.status === 401 && !retried) {
    await askToken();
    return api(method, path, body, {yaml, raw, retried: true});
  }
  if (raw && r.ok) return r.blob();
  const text = await r.text();
  let data = text;
  if ((r.headers.get('Content-Type') || '').includes('json') && text) data = JSON.parse(text);
  if (!r.ok) {
    const err = new Error((data && data.error) || `${r.status} ${text}`);
    err.details = (data && data.errors) || [];
    throw err;
  }
  return data;
}

let tokenWaiters = [];
function askToken() {
  return new Promise((resolve) => {
    tokenWaiters.push(resolve);
    const d = $('token-dialog');
    if (!d.open) d.showModal();
    $('token').focus();
  });
}

$('token-form').addEventListener('submit', () => {
  ui.token = $('token').value;
  sessionStorage.setItem('credemu.token', ui.token);
  const waiting = tokenWaiters;
  tokenWaiters = [];
  waiting.forEach((w) => w());
});

// Sandboxes: the selector lists those the server has; another name opens
// (and so creates) that sandbox.
async function loadHeader() {
  const h = await api('GET', '/health');
  $('version').textContent = h.version ? 'version ' + h.version : '';
  $('scenario').textContent = h.scenario ? 'scenario: ' + h.scenario : '';
  const names = new Set(h.sandboxes || ['']);
  names.add(ui.sandbox);
  const sel = $('sandbox');
  sel.replaceChildren(...[...names].sort().map((n) => el('option', {value: n}, n === '' ? '(default)' : n)));
  sel.value = ui.sandbox;
  const apiSel = $('journal-api');
  if (apiSel.options.length === 1) (h.apis || []).forEach((a) => apiSel.append(el('option', {value: a}, a)));
}

function switchSandbox(name) {
  ui.sandbox = name;
  sessionStorage.setItem('credemu.sandbox', name);
  ui.lastSeq = 0;
  ui.entries = [];
  refresh();
}

$('sandbox').addEventListener('change', (e) => switchSandbox(e.target.value));
$('new-sandbox').addEventListener('submit', (e) => {
  e.preventDefault();
  const name = $('new-sandbox-name').value.trim();
  if (name) switchSandbox(name);
});

// World: a family's state rendered as tables. Lists of objects become
// tables, objects of objects become headed sections, the rest key/value.
function isObj(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }

function cell(v) {
  if (Array.isArray(v) && v.length && v.every(isObj)) {
    return el('details', {}, el('summary', {}, `${v.length} item${v.length === 1 ? '' : 's'}`), table(v));
  }
  if (isObj(v)) {
    // A referenced object is shown by its name; the whole of it on hover.
    const label = v.displayName || v.name || v.username || v.identity || v.uuid;
    if (label !== undefined) return el('span', {class: 'ref', title: JSON.stringify(v, null, 1)}, String(label));
  }
  if (isObj(v) || Array.isArray(v)) {
    const s = JSON.stringify(v);
    return el('code', {title: s}, s.length > 80 ? s.slice(0, 77) + '…' : s);
  }
  return v === null || v === undefined ? '' : String(v);
}

function table(rows) {
  const cols = [];
  rows.forEach((r) => Object.keys(r).forEach((k) => { if (!cols.includes(k)) cols.push(k); }));
  return el('div', {class: 'scroll'}, el('table', {class: 'objects'},
    el('thead', {}, el('tr', {}, ...cols.map((c) => el('th', {}, c)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...cols.map((c) => el('td', {}, cell(r[c]))))))));
}

function render(value, depth) {
  const out = el('div', {class: 'block'});
  const scalars = [];
  for (const [k, v] of Object.entries(value)) {
    const h = el('h' + Math.min(depth, 5), {}, k);
    if (Array.isArray(v) && v.every(isObj)) {
      out.append(h, v.length ? table(v) : el('p', {class: 'muted'}, 'none'));
    } else if (isObj(v) && Object.values(v).some((x) => isObj(x) || Array.isArray(x))) {
      out.append(h, render(v, depth + 1));
    } else {
      scalars.push([k, v]);
    }
  }
  if (scalars.length) {
    out.prepend(el('table', {class: 'pairs'}, el('tbody', {}, ...scalars.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, cell(v)))))));
  }
  return out;
}

async function loadWorld() {
  const st = await api('GET', '/state');
  const w = $('world');
  w.replaceChildren();
  for (const fam of Object.keys(st.apis).sort()) {
    w.append(el('section', {class: 'family', 'data-family': fam}, el('h2', {}, fam), render(st.apis[fam], 3)));
  }
}

// Journal: entries after the last one seen, every second while live.
function journalRow(e) {
  const tr = el('tr', {class: e.fault ? 'fault' : (e.status >= 400 ? 'failed' : '')},
    el('td', {}, e.seq), el('td', {}, e.time.slice(11, 23)), el('td', {}, e.api || ''), el('td', {}, e.operation || ''),
    el('td', {}, e.method), el('td', {}, e.path + (e.query ? '?' + e.query : '')), el('td', {}, e.status),
    el('td', {}, e.fault || ''), el('td', {}, e.durationMs));
  tr.addEventListener('click', () => {
    const pre = $('journal-entry');
    pre.textContent = JSON.stringify(e, null, 2);
    pre.hidden = false;
  });
  return tr;
}

function journalShown(e) {
  const api = $('journal-api').value;
  const text = $('journal-text').value.trim();
  const status = $('journal-status').value.trim();
  return (!api || e.api === api) && (!status || String(e.status).startsWith(status)) &&
    (!text || (e.path + ' ' + (e.operation || '')).includes(text));
}

function drawJournal() {
  const shown = ui.entries.filter(journalShown).slice(-500).reverse();
  $('journal').tBodies[0].replaceChildren(...shown.map(journalRow));
}

async function loadJournal() {
  const page = await api('GET', '/requests?after=' + ui.lastSeq);
  if (page.requests.length) {
    ui.entries.push(...page.requests);
    ui.lastSeq = page.requests[page.requests.length - 1].seq;
    if (ui.entries.length > 2000) ui.entries = ui.entries.slice(-2000);
  }
  drawJournal();
}

['journal-api', 'journal-text', 'journal-status'].forEach((id) => $(id).addEventListener('input', drawJournal));
$('journal-clear').addEventListener('click', async () => {
  await api('DELETE', '/requests');
  ui.entries = [];
  drawJournal();
});

// Faults: the rules with their counters, a form to add one, a button to
// remove each.
function describe(rule) {
  const m = rule.match || {};
  return [m.api, m.operation, m.method, m.path].filter(Boolean).join(' ') || 'every request';
}

function answer(rule) {
  const r = rule.respond || {};
  return [r.status, r.kind, r.delay && 'delay ' + r.delay, r.drop && 'drop ' + r.drop, rule.commit && 'after commit'].filter(Boolean).join(', ');
}

async function loadFaults() {
  const list = await api('GET', '/faults');
  $('faults').tBodies[0].replaceChildren(...list.faults.map((f) => el('tr', {'data-rule': f.id},
    el('td', {}, f.id), el('td', {}, f.rule.name || ''), el('td', {}, describe(f.rule)), el('td', {}, answer(f.rule)),
    el('td', {}, f.rule.after || 0), el('td', {}, f.rule.times || '∞'), el('td', {}, f.matches), el('td', {class: 'fired'}, f.fired),
    el('td', {}, el('button', {onclick: async () => { await api('DELETE', '/faults/' + f.id); loadFaults(); }}, 'Remove')))));
}

async function loadOperations() {
  const sel = $('fault-op');
  if (sel.options.length) return;
  const cov = await api('GET', '/coverage');
  for (const a of cov.apis) {
    const group = el('optgroup', {label: a.api});
    a.operations.forEach((o) => group.append(el('option', {value: a.api + '/' + o.operation}, `${o.operation} (${o.method})`)));
    sel.append(group);
  }
}

$('fault-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const [apiName, operation] = $('fault-op').value.split('/');
  const respond = {};
  if ($('fault-status').value) respond.status = Number($('fault-status').value);
  if ($('fault-kind').value) respond.kind = $('fault-kind').value;
  if ($('fault-delay').value) respond.delay = $('fault-delay').value;
  if (!respond.status && !respond.kind && !respond.delay) respond.status = 500;
  const rule = {match: {api: apiName, operation}, respond, after: Number($('fault-after').value) || 0, times: Number($('fault-times').value) || 0};
  if ($('fault-name').value) rule.name = $('fault-name').value;
  try {
    await api('POST', '/faults', rule);
    say('fault rule added');
  } catch (err) {
    say(err.message, true);
  }
  loadFaults();
});

// Coverage: a bar per operation, grey when never called.
async function loadCoverage() {
  const cov = await api('GET', '/coverage');
  const out = $('coverage');
  out.replaceChildren();
  let called = 0, total = 0;
  for (const a of cov.apis) {
    const max = Math.max(1, ...a.operations.map((o) => o.calls));
    const rows = a.operations.map((o) => {
      total++;
      if (o.calls) called++;
      const statuses = Object.entries(o.statuses || {}).map(([s, n]) => `${s}×${n}`).join(' ');
      const bar = el('span', {class: 'bar' + (o.calls ? '' : ' never')});
      bar.style.width = (o.calls ? Math.max(2, 100 * o.calls / max) : 100) + '%';
      return el('tr', {class: o.calls ? 'called' : 'never'}, el('td', {}, o.operation), el('td', {}, o.method),
        el('td', {class: 'chart'}, bar), el('td', {}, o.calls || 'never called'), el('td', {}, statuses));
    });
    const reached = a.operations.filter((o) => o.calls).length;
    out.append(el('h2', {}, `${a.api}: ${reached} of ${a.operations.length} called`), el('table', {class: 'coverage'}, el('tbody', {}, ...rows)));
  }
  $('coverage-summary').textContent = `${called} of ${total} operations called`;
}

$('coverage-refresh').addEventListener('click', () => loadCoverage().catch(fail));
$('world-refresh').addEventListener('click', () => loadWorld().catch(fail));

// Clock, reset, scenario, snapshot.
async function loadClock() {
  const c = await api('GET', '/clock');
  $('clock-now').textContent = c.now;
  $('clock-kind').textContent = c.fixed ? '(fixed: moves only when advanced)' : '(real time plus any advance)';
}

$('clock-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    await api('POST', '/clock', {advance: $('clock-advance').value.trim()});
    say('clock advanced');
  } catch (err) {
    say(err.message, true);
  }
  loadClock();
});

$('reset').addEventListener('click', async () => {
  await api('POST', '/reset');
  ui.lastSeq = 0;
  ui.entries = [];
  say('sandbox reset to its scenario');
  refresh();
});

$('snapshot').addEventListener('click', async () => {
  const blob = await api('GET', '/snapshot', undefined, {raw: true});
  const a = el('a', {href: URL.createObjectURL(blob), download: ui.sandbox ? `credemu-snapshot-${ui.sandbox}.yaml` : 'credemu-snapshot.yaml'});
  document.body.append(a);
  a.click();
  a.remove();
  say('snapshot downloaded');
});

$('scenario-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = $('scenario-file').files[0];
  const text = f ? await f.text() : $('scenario-text').value;
  const name = f ? f.name : 'dashboard.yaml';
  const errs = $('scenario-errors');
  try {
    await api('PUT', '/scenario?name=' + encodeURIComponent(name), text, {yaml: true});
    errs.hidden = true;
    say('scenario loaded');
    refresh();
  } catch (err) {
    errs.textContent = [err.message, ...err.details].join('\n');
    errs.hidden = false;
  }
});

// Tabs and refreshing.
const loaders = {world: loadWorld, journal: loadJournal, faults: () => Promise.all([loadOperations(), loadFaults()]),
  coverage: loadCoverage, control: loadClock};

function fail(err) { say(err.message, true); }

function refresh() {
  loadHeader().catch(fail);
  loaders[ui.tab]().catch(fail);
}

document.querySelectorAll('nav button').forEach((b) => b.addEventListener('click', () => {
  ui.tab = b.dataset.tab;
  document.querySelectorAll('nav button').forEach((x) => x.classList.toggle('active', x === b));
  document.querySelectorAll('main > section').forEach((s) => { s.hidden = s.id !== 'tab-' + ui.tab; });
  refresh();
}));

// The journal and the fault counters are live: polled every second while
// their tab is open and live is ticked.
ui.timer = setInterval(() => {
  if (document.hidden) return;
  if (ui.tab === 'journal' && $('journal-live').checked) loadJournal().catch(fail);
  if (ui.tab === 'faults') loadFaults().catch(fail);
}, 1000);

refresh();
