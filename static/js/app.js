// The officer's app: records are saved to IndexedDB before anything else, listed while they wait,
// and sent by sync.js on start, when the connection returns, on a timer, by Background Sync and on request.
import * as store from './store.js';
import { syncNow, SYNC_TAG } from './sync.js';

const strings = JSON.parse(document.getElementById('strings').textContent);
const labels = JSON.parse(document.getElementById('labels').textContent);
const lang = document.documentElement.lang || 'id';
const SYNC_EVERY_MS = 60 * 1000;
let sending = false;

function t(key, params = {}) {
  return strings[key].replace(/%\((\w+)\)s/g, (_, name) => String(params[name]));
}

function formatWhen(iso) {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function $(id) {
  return document.getElementById(id);
}

function villageName(me, code) {
  const village = me && me.villages.find((v) => v.code === code);
  return village ? village.name : code;
}

async function renderProfile(me) {
  $('who').textContent = me ? me.user.name : '';
  const select = document.querySelector('#visit-form [name=village]');
  const chosen = select.value;
  select.replaceChildren(new Option(t('chooseVillage'), ''));
  for (const village of (me ? me.villages : [])) {
    select.append(new Option(`${village.name} (${village.path.slice(-1)[0] || ''})`, village.code));
  }
  select.value = chosen;
  if (me && me.villages.length === 0) $('form-message').textContent = t('noVillages');
}

async function renderVillages(me) {
  const list = $('village-list');
  list.replaceChildren();
  if (!me) return;
  const seen = await store.listSeen(me.user.username);
  const last = new Map();
  for (const change of seen) {
    if (change.type !== 'visit') continue;
    const when = change.data.occurred_at;
    if (!last.has(change.data.village) || last.get(change.data.village) < when) last.set(change.data.village, when);
  }
  for (const village of me.villages) {
    const item = el('li');
    item.append(el('strong', village.name), el('span', ` · ${village.path.join(', ')}`, 'hint'));
    item.append(el('span', village.risk_level, `risk risk-${village.risk_level}`));
    const when = last.get(village.code);
    item.append(el('p', when ? t('lastVisit', { when: formatWhen(when) }) : t('noVisit'), 'hint'));
    list.append(item);
  }
  const confirmed = $('confirmed-list');
  confirmed.replaceChildren();
  const mine = seen.filter((change) => change.mine).sort((a, b) => b.rev - a.rev).slice(0, 20);
  for (const change of mine) {
    const item = el('li');
    item.append(el('strong', villageName(me, change.data.village)), el('span', ` · ${formatWhen(change.data.occurred_at)}`));
    item.append(el('p', change.data.purpose || ''));
    confirmed.append(item);
  }
}

async function renderOutbox(me) {
  const username = me ? me.user.username : null;
  const entries = (await store.listOutbox()).filter((entry) => entry.officer === username);
  entries.sort((a, b) => b.created_at.localeCompare(a.created_at));
  const waiting = entries.filter((entry) => entry.state === 'waiting').length;
  const toFix = entries.length - waiting;
  const counts = [];
  if (waiting) counts.push(t('waiting', { count: waiting }));
  if (toFix) counts.push(t('toFix', { count: toFix }));
  $('sync-count').textContent = counts.length ? counts.join(' · ') : t('allSynced');
  const list = $('outbox-list');
  list.replaceChildren();
  for (const entry of entries) {
    const item = el('li', undefined, `state-${entry.state}`);
    item.dataset.id = entry.id;
    item.append(el('strong', villageName(me, entry.data.village)), el('span', ` · ${formatWhen(entry.data.occurred_at)}`));
    const state = entry.state === 'waiting' ? t(sending ? 'stateSending' : 'stateWaiting') : t(entry.state);
    item.append(el('span', state, 'badge'));
    item.append(el('p', entry.data.purpose || ''));
    for (const [field, messages] of Object.entries(entry.errors || {})) {
      const label = (labels[entry.type] || {})[field] || field;
      item.append(el('p', `${label}: ${messages.join(' ')}`, 'error'));
    }
    list.append(item);
  }
}

async function render() {
  const me = await store.getMeta('me');
  const auth = await store.getMeta('auth');
  $('login-again').hidden = auth !== 'expired';
  const lastSync = await store.getMeta('last_sync');
  $('last-sync').textContent = t('lastSync', { when: lastSync ? formatWhen(lastSync) : t('never') });
  await renderProfile(me);
  await renderOutbox(me);
  await renderVillages(me);
}

async function runSync() {
  if (sending) return;
  sending = true;
  $('sync-message').textContent = t('syncing');
  await renderOutbox(await store.getMeta('me'));
  let outcome;
  try {
    outcome = await syncNow();
  } catch (error) {
    outcome = { status: 'error', sent: 0 };
  }
  sending = false;
  const messages = {
    ok: outcome.sent ? t('synced', { count: outcome.sent }) : '',
    offline: t('offline'),
    login: t('loginAgain'),
    error: t('serverError'),
  };
  $('sync-message').textContent = messages[outcome.status];
  await render();
}

async function requestSync() {
  if ('serviceWorker' in navigator) {
    const registration = await navigator.serviceWorker.ready;
    if (registration.sync) await registration.sync.register(SYNC_TAG).catch(() => {});
  }
  await runSync();
}

function localNow() {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
}

function formData(form) {
  const data = {};
  for (const [name, value] of new FormData(form)) data[name] = typeof value === 'string' ? value.trim() : value;
  data.occurred_at = new Date(data.occurred_at).toISOString();
  for (const name of ['lat', 'lng', 'accuracy']) {
    if (data[name] === '' || data[name] === undefined) delete data[name];
    else data[name] = Number(data[name]);
  }
  return data;
}

async function saveRecord(event) {
  event.preventDefault();
  const form = event.target;
  const me = await store.getMeta('me');
  if (!me) {
    $('form-message').textContent = t('loginAgain');
    return;
  }
  const now = new Date().toISOString();
  const entry = {
    id: crypto.randomUUID(),
    type: form.dataset.type,
    data: formData(form),
    created_at: now,
    updated_at: now,
    officer: me.user.username,
    state: 'waiting',
  };
  try {
    await store.addRecord(entry);
  } catch (error) {
    $('form-message').textContent = t('dbError');
    return;
  }
  form.reset();
  form.elements.occurred_at.value = localNow();
  $('form-message').textContent = t('saved');
  await render();
  requestSync();
}

function locate() {
  const form = $('visit-form');
  $('locate-message').textContent = t('locating');
  navigator.geolocation.getCurrentPosition(
    (position) => {
      form.elements.lat.value = position.coords.latitude.toFixed(6);
      form.elements.lng.value = position.coords.longitude.toFixed(6);
      form.elements.accuracy.value = Math.round(position.coords.accuracy);
      $('locate-message').textContent = t('located', { accuracy: Math.round(position.coords.accuracy) });
    },
    () => { $('locate-message').textContent = t('noLocation'); },
    { enableHighAccuracy: true, timeout: 30000, maximumAge: 60000 },
  );
}

async function showStorage() {
  if (!navigator.storage || !navigator.storage.persist) return;
  const persisted = (await navigator.storage.persisted()) || (await navigator.storage.persist());
  $('storage').textContent = persisted ? t('persisted') : t('notPersisted');
}

async function start() {
  const form = $('visit-form');
  form.elements.occurred_at.value = localNow();
  form.addEventListener('submit', saveRecord);
  $('locate').addEventListener('click', locate);
  $('sync-now').addEventListener('click', runSync);
  window.addEventListener('online', runSync);
  setInterval(() => { if (navigator.onLine) runSync(); }, SYNC_EVERY_MS);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data && event.data.type === 'synced') render();
    });
    navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' }).catch(() => {});
  }
  try {
    await render();
  } catch (error) {
    $('form-message').textContent = t('dbError');
    return;
  }
  showStorage();
  runSync();
}

start();
