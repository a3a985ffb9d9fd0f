// The officer's app. Records are saved to IndexedDB before anything else, listed with their state, and sent by
// sync.js on start, when the connection returns, on a timer, by Background Sync and on request.
import { fetchMe, wireRecord } from './api.js';
import * as checks from './checks.js';
import { guidanceCache, guidanceRequest } from './guidance-cache.js';
import { reachable } from './online-status.js';
import * as store from './store.js';
import {
  finishLogout, syncNow, shouldWait, withLock, SYNC_TAG,
} from './sync.js';
import { shrink } from './photos.js';
import {
  SMS_PLACEHOLDER, offersSms, receivedBySms, smsHref, smsText,
} from './sms.js';
import {
  detailFields, formatSize, isOverDay, isOverdue, isToday, lastActivity, mergeRecords, oldestWaitingAge, summary,
  waitedFor,
} from './records.js';

// The page as the server sent it, before this script changes anything: on the app's first opening, which no
// worker answered, it is handed to the worker installing when it asks (static/js/shell-worker.js), which keeps
// it rather than download it again.
const firstPage = 'serviceWorker' in navigator && !navigator.serviceWorker.controller
  ? `<!doctype html>\n${document.documentElement.outerHTML}` : null;
const strings = JSON.parse(document.getElementById('strings').textContent);
const labels = JSON.parse(document.getElementById('labels').textContent);
const codes = JSON.parse(document.getElementById('codes').textContent);
const lang = document.documentElement.lang || 'id';
const SYNC_EVERY_MS = 30 * 1000;
const DRAFT_DELAY_MS = 400;
const TAKE_OVER_EVERY_MS = 3000;
const POSITION_FIELDS = ['lat', 'lng', 'accuracy'];
let controlled = 'serviceWorker' in navigator && Boolean(navigator.serviceWorker.controller);
let sending = false;
let connected = navigator.onLine; // whether the last attempt reached the server (the browser may think it is online)
let runAgain = null; // {retryFailed} when an attempt was asked for while one was running
let me = null;
let editing = null; // {type, id, base} while a form is open
let pendingPhotos = []; // the photos chosen in the open form, each with the object URL of its thumbnail
let voidArmed = null;
// How far below the phone's storage quota the app warns that space runs out.
const LOW_STORAGE_BYTES = 50 * 1024 * 1024;
// How long a change of language waits for the service worker to keep the app in it.
const LANGUAGE_WAIT_MS = 10 * 1000;

const $ = (id) => document.getElementById(id);

const plurals = new Intl.PluralRules(lang);

// A sentence in the officer's language; one with a number (`count`) comes in its plural forms, by `Intl.PluralRules`.
function t(key, params = {}) {
  const words = strings[key];
  const sentence = typeof words === 'string' ? words : words[plurals.select(params.count)] || words.other;
  return sentence.replace(/%\((\w+)\)s/g, (_, name) => String(params[name]));
}

function formatWhen(iso) {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

function formatBytes(bytes) {
  return formatSize(bytes, lang, { kilobytes: strings.kilobytes, megabytes: strings.megabytes });
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function villageName(code) {
  const village = me && me.villages.find((v) => v.code === code);
  return village ? village.name : code;
}

function articles() {
  return ((me && me.materials) || []).filter((m) => m.kind === 'article')
    .map((m) => ({ title: m.title, url: `/panduan/${m.slug}?layar=penuh` }));
}

// Keep the catalogue's articles on the phone, to show them in a session without a signal.
async function keepArticles() {
  if (!('caches' in window)) return;
  const cache = await caches.open(guidanceCache(lang));
  for (const { url } of articles()) {
    // Fetched as a stranger reading in the officer's language would (no cookie): it holds nothing of them.
    if (!(await cache.match(url))) await cache.add(guidanceRequest(url, lang)).catch(() => {});
  }
}

function materialTitles() {
  return Object.fromEntries(((me && me.materials) || []).map((m) => [m.slug, m.title]));
}

// A record's state in the words of outreach/vocabulary.py; a waiting one is being sent while a sync runs.
function stateLabel(record) {
  return codes.sync_state[record.state === 'waiting' && sending ? 'sending' : record.state];
}

// What the phone knows of the pushes that failed on a record still to send: the server's words and how often.
function tryLines(record) {
  if (!record.tries || (record.state !== 'waiting' && record.state !== 'failed')) return [];
  const error = record.last_error || {};
  const reason = error.message || (error.status ? t('serverStatus', { status: error.status }) : t('noAnswer'));
  const lines = [el('p', reason, 'error'), el('p', t('tried', { count: record.tries }), 'hint')];
  if (record.state === 'failed' && record.next_try_at) {
    lines.push(el('p', t('nextTry', { when: formatWhen(record.next_try_at) }), 'hint'));
  }
  return lines;
}

// What the phone says of an urgent warning and SMS (static/js/sms.js): that the office has it by SMS while the
// full record still waits here, or, with no connection, a link that opens the SMS app with its coded text.
function smsLines(record) {
  const lines = [];
  if (receivedBySms(record)) lines.push(el('span', t('smsReceived'), 'badge sms-received'));
  const sms = me && me.sms;
  if (!receivedBySms(record) && offersSms(sms, record, connected)) {
    const link = el('a', t('sendBySms'), 'button primary sms-link');
    link.hidden = true;
    smsText(sms, record).then((text) => {
      link.href = smsHref(sms.gateway, text);
      link.hidden = false;
    }).catch(() => {}); // without Web Crypto (a page not served securely) there is no code: no link
    lines.push(link, el('p', t('sendBySmsHint'), 'hint'));
  }
  return lines;
}

function recordItem(record) {
  const item = el('li', undefined, `state-${record.state}${record.voided ? ' voided' : ''}`);
  item.dataset.id = record.id;
  const link = el('a', `${labels[record.type].label} · ${villageName(record.data.village)}`);
  link.href = `#record/${record.id}`;
  item.append(link, el('span', ` · ${formatWhen(record.data.occurred_at)}`));
  item.append(el('span', stateLabel(record), 'badge'));
  if (record.voided) item.append(el('span', t('voided'), 'badge'));
  item.append(...smsLines(record));
  item.append(el('p', summary(record, labels[record.type], { material: materialTitles() }, plurals)));
  item.append(...tryLines(record));
  for (const [field, messages] of Object.entries(record.errors || {})) {
    const label = labels[record.type].fields[field] || field;
    item.append(el('p', `${label}: ${messages.join(' ')}`, 'error'));
  }
  return item;
}

async function myRecords() {
  if (!me) return { outbox: [], seen: [], records: [] };
  const outbox = (await store.listOutbox()).filter((entry) => entry.officer === me.user.username);
  const seen = await store.listSeen(me.user.username);
  return { outbox, seen, records: mergeRecords(outbox, seen) };
}

// ---- views

async function renderHome() {
  const { outbox, seen, records } = await myRecords();
  const waiting = outbox.filter((entry) => entry.state === 'waiting').length;
  const failed = outbox.filter((entry) => entry.state === 'failed');
  const toFix = outbox.filter((entry) => entry.state === 'rejected');
  const counts = [];
  if (waiting) counts.push(t('waiting', { count: waiting }));
  if (failed.length) counts.push(t('failed', { count: failed.length }));
  if (toFix.length) counts.push(t('toFix', { count: toFix.length }));
  $('sync-count').textContent = counts.length ? counts.join(' · ') : t('allSynced');
  const age = oldestWaitingAge(outbox);
  const waited = age === null ? null : waitedFor(age);
  $('oldest').textContent = waited ? t(waited.key, { count: waited.num, hours: waited.num }) : '';
  $('oldest').className = isOverDay(age) ? 'error' : 'hint';
  const lastSync = await store.getMeta('last_sync');
  $('last-sync').textContent = t('lastSync', { when: lastSync ? formatWhen(lastSync) : t('never') });
  $('export').hidden = waiting + failed.length === 0;

  $('failed-card').hidden = failed.length === 0;
  $('failed-list').replaceChildren(...failed.map(recordItem));
  $('to-fix-card').hidden = toFix.length === 0;
  $('to-fix-list').replaceChildren(...toFix.map(recordItem));
  const today = records.filter((r) => isToday(r.data.occurred_at));
  $('today-list').replaceChildren(...today.map(recordItem));
  $('today-none').hidden = today.length > 0;
  showStorage(waiting + failed.length);

  // Only what the server took counts as a visit: a record waiting on the phone, or refused, does not yet.
  const last = lastActivity(seen, labels);
  const villages = (me ? me.villages : []).map((village) => {
    const item = el('li', undefined, isOverdue(last.get(village.code)) ? 'overdue' : '');
    item.append(el('strong', village.name), el('span', ` · ${village.path.join(', ')}`, 'hint'));
    const risk = codes.risk_level[village.risk_level];
    if (risk) item.append(el('span', t('risk', { level: risk }), `risk risk-${village.risk_level}`));
    const when = last.get(village.code);
    item.append(el('p', when ? t('lastVisit', { when: formatWhen(when) }) : t('noVisit'), 'hint'));
    if (isOverdue(when)) item.append(el('p', t('overdue'), 'error'));
    return item;
  });
  $('village-list').replaceChildren(...(villages.length ? villages : [el('li', t('noVillages'), 'hint')]));
  $('material-list').replaceChildren(...articles().map(({ title, url }) => {
    const item = el('li');
    const link = el('a', title);
    link.href = url;
    item.append(link);
    return item;
  }));
}

async function renderRecords() {
  const type = $('filter-type').value;
  const village = $('filter-village').value;
  const { records } = await myRecords();
  const shown = records.filter((r) => (!type || r.type === type) && (!village || r.data.village === village));
  $('record-list').replaceChildren(...shown.map(recordItem));
}

// A record as the lists name it: its type, village and time; undefined for a record the phone does not know.
function recordTitle(record) {
  return record && `${labels[record.type].label} · ${villageName(record.data.village)} · ${formatWhen(record.data.occurred_at)}`;
}

async function findRecord(id) {
  const { records } = await myRecords();
  return records.find((record) => record.id === id);
}

async function renderRecord(id) {
  const record = await findRecord(id);
  if (!record) { location.hash = '#records'; return; }
  const typeLabels = labels[record.type];
  $('record-title').textContent = `${typeLabels.label} · ${villageName(record.data.village)}`;
  $('record-state').textContent = stateLabel(record) + (record.voided ? ` · ${t('voided')}` : '');
  $('record-tries').replaceChildren(...tryLines(record), ...smsLines(record));
  const fields = $('record-fields');
  fields.replaceChildren();
  const errors = record.errors || {};
  const { records } = await myRecords();
  for (const name of detailFields(typeLabels, errors)) {
    let value = record.data[name];
    const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && !value.length);
    if (empty && !(errors[name] || []).length) continue; // an empty field is shown for the server's reason
    const choices = (typeLabels.choices || {})[name];
    if (empty) value = '—';
    else if (name === 'village') value = villageName(value);
    else if (name === 'material') value = materialTitles()[value] || value;
    else if (name === 'occurred_at') value = formatWhen(value);
    else if (name.endsWith('_id')) value = recordTitle(records.find((r) => r.id === value)) || '—';
    else if (name === 'description' && value === SMS_PLACEHOLDER) value = t('smsDetailsFollow');
    else if (Array.isArray(value)) value = value.map((v) => (choices && choices[v]) || v).join(', ');
    else if (choices) value = choices[value] || value;
    fields.append(el('dt', typeLabels.fields[name] || name), el('dd', String(value)));
    for (const message of errors[name] || []) fields.append(el('dd', message, 'error'));
  }
  const followUp = $('record-follow-up');
  followUp.hidden = !record.follow_up; // only a type the office follows up (a warning) has one
  if (!followUp.hidden) {
    const status = codes.sentence.warning_status[record.follow_up.status];
    followUp.textContent = record.follow_up.note ? `${status}: ${record.follow_up.note}` : status;
  }
  $('record-edit').hidden = Boolean(record.voided);
  $('record-void').hidden = Boolean(record.voided);
  $('record-void').textContent = t('void');
  voidArmed = null;
  const photos = (await store.listPhotos()).filter((p) => p.record_id === id);
  $('record-photos').replaceChildren(...photos.map((p) => el('li', t(p.state === 'rejected' ? 'photoRejected' : 'photoWaiting'))));
}

// ---- forms

function formFor(type) {
  return document.getElementById(`form-${type}`);
}

function readForm(form) {
  const data = {};
  for (const element of form.elements) {
    if (!element.name || element.type === 'file') continue;
    if (element.type === 'checkbox') {
      data[element.name] = data[element.name] || [];
      if (element.checked) data[element.name].push(element.value);
    } else if (element.type === 'number') {
      if (element.value !== '') data[element.name] = Number(element.value);
    } else if (element.type === 'datetime-local') {
      if (element.value) data[element.name] = new Date(element.value).toISOString();
    } else if (element.value.trim() !== '' || !element.name.endsWith('_id')) {
      data[element.name] = element.value.trim();
    }
  }
  for (const name of POSITION_FIELDS) if (data[name] === undefined) delete data[name];
  return data;
}

function localInput(iso) {
  const when = iso ? new Date(iso) : new Date();
  when.setMinutes(when.getMinutes() - when.getTimezoneOffset());
  return when.toISOString().slice(0, 16);
}

function fillForm(form, data) {
  form.reset();
  for (const element of form.elements) {
    if (!element.name || element.type === 'file') continue;
    const value = data[element.name];
    if (element.type === 'checkbox') element.checked = Array.isArray(value) && value.includes(element.value);
    else if (element.type === 'datetime-local') element.value = localInput(value);
    else if (value !== undefined && value !== null) element.value = value;
  }
  form.querySelectorAll('[data-error-for]').forEach((p) => { p.textContent = ''; });
}

function showErrors(form, errors) {
  checks.showErrors(form, errors, labels[form.dataset.type].fields);
}

function draftKey() {
  return `${me.user.username}:${editing.type}:${editing.id || 'new'}`;
}

async function openForm(type, record) {
  document.querySelectorAll('.record-form').forEach((f) => { f.hidden = true; });
  $('type-choices').hidden = true;
  const form = formFor(type);
  editing = { type, id: record ? record.id : null, base: record || null };
  dropPhotos();
  const draft = me ? await store.getDraft(draftKey()) : undefined;
  fillForm(form, draft || (record ? record.data : {}));
  const title = form.querySelector('.form-title');
  title.textContent = title.dataset[!record ? 'new' : record.state === 'rejected' ? 'fix' : 'edit'];
  $('new-title').hidden = true;
  showErrors(form, record ? record.errors : {});
  form.querySelector('.form-message').textContent = draft ? t('draftRestored') : '';
  form.hidden = false;
}

function closeForm() {
  document.querySelectorAll('.record-form').forEach((f) => { f.hidden = true; });
  $('type-choices').hidden = false;
  $('new-title').hidden = false;
  editing = null;
  dropPhotos();
}

let draftTimer = null;
function keepDraft(event) {
  const form = event.target.closest('form');
  if (!editing || !me || form.dataset.type !== editing.type) return;
  clearTimeout(draftTimer);
  draftTimer = setTimeout(() => store.setDraft(draftKey(), readForm(form)).catch(() => {}), DRAFT_DELAY_MS);
}

async function saveRecord(event) {
  event.preventDefault();
  const form = event.target;
  const message = form.querySelector('.form-message');
  if (!me) { message.textContent = t('loginAgain'); return; }
  clearTimeout(draftTimer);
  const now = new Date().toISOString();
  const base = editing && editing.base;
  const entry = {
    id: base ? base.id : crypto.randomUUID(),
    type: form.dataset.type,
    data: readForm(form),
    created_at: base && base.created_at ? base.created_at : now,
    updated_at: now,
    officer: me.user.username,
  };
  const errors = checks.check(entry.data, labels[entry.type].rules);
  showErrors(form, errors);
  if (Object.keys(errors).length) return; // fixed here first: saved as it is, the server would refuse it
  try {
    await store.saveVersion(entry);
    for (const { url, label, ...photo } of pendingPhotos) {
      await store.addPhoto({ ...photo, record_id: entry.id, record_type: entry.type, officer: me.user.username });
    }
    await store.deleteDraft(draftKey());
  } catch (error) {
    message.textContent = t('dbError');
    return;
  }
  closeForm();
  $('sync-message').textContent = t('saved');
  location.hash = '#home';
  await render();
  requestSync();
}

async function voidRecord() {
  const id = location.hash.split('/')[1];
  if (voidArmed !== id) {
    voidArmed = id;
    $('record-void').textContent = t('voidConfirm');
    return;
  }
  const record = await findRecord(id);
  const now = new Date().toISOString();
  await store.saveVersion({
    id: record.id, type: record.type, data: record.data, voided: true,
    created_at: record.created_at || now, updated_at: now, officer: me.user.username,
  });
  await render();
  requestSync();
}

async function addPhoto(event) {
  const input = event.target;
  const form = input.closest('form');
  const message = form.querySelector('.photo-message');
  const file = input.files[0];
  if (!file) return;
  try {
    const blob = await shrink(file);
    pendingPhotos.push({
      id: crypto.randomUUID(), kind: input.dataset.photoKind, blob, state: 'waiting', taken_at: new Date().toISOString(),
      label: input.dataset.label, url: URL.createObjectURL(blob),
    });
    message.textContent = '';
  } catch (error) {
    message.textContent = t('photoFailed');
  }
  input.value = '';
  showPhotos(form);
}

// The photos chosen in `form`: each with its thumbnail, what it shows, its size and a button to remove it.
function showPhotos(form) {
  const list = form.querySelector('.photo-list');
  if (!list) return;
  list.replaceChildren(...pendingPhotos.map((photo, index) => {
    const item = el('li');
    const thumbnail = el('img');
    thumbnail.src = photo.url;
    thumbnail.alt = t('photoAlt', { num: index + 1 });
    const remove = el('button', t('removePhoto', { num: index + 1 }), 'danger');
    remove.type = 'button';
    remove.addEventListener('click', () => {
      URL.revokeObjectURL(photo.url);
      pendingPhotos = pendingPhotos.filter((other) => other !== photo);
      showPhotos(form);
      // The focus goes on to the next photo's button, else to the choice of a photo: never lost to the page.
      const next = list.querySelectorAll('button')[Math.min(index, pendingPhotos.length - 1)];
      (next || form.querySelector('[data-photo-kind]')).focus();
    });
    item.append(thumbnail, el('span', `${photo.label} · ${t('photoSize', { size: formatBytes(photo.blob.size) })}`), remove);
    return item;
  }));
}

// Forget the photos chosen in the open form, and the thumbnails' object URLs with them.
function dropPhotos() {
  for (const photo of pendingPhotos) URL.revokeObjectURL(photo.url);
  pendingPhotos = [];
  document.querySelectorAll('.photo-list').forEach((list) => list.replaceChildren());
}

function locate(event) {
  const form = event.target.closest('form');
  const message = form.querySelector('.locate-message');
  message.textContent = t('locating');
  navigator.geolocation.getCurrentPosition(
    (position) => {
      form.elements.lat.value = position.coords.latitude.toFixed(6);
      form.elements.lng.value = position.coords.longitude.toFixed(6);
      form.elements.accuracy.value = Math.round(position.coords.accuracy);
      message.textContent = t('located', { accuracy: Math.round(position.coords.accuracy) });
    },
    () => { message.textContent = t('noLocation'); },
    { enableHighAccuracy: true, timeout: 30000, maximumAge: 60000 },
  );
}

// ---- profile, routing, sync

function fillChoices() {
  const villages = me ? me.villages : [];
  for (const select of document.querySelectorAll('select[name=village], #filter-village')) {
    const chosen = select.value;
    const first = select.id === 'filter-village' ? new Option(t('allVillages'), '') : new Option(t('chooseVillage'), '');
    select.replaceChildren(first, ...villages.map((v) => new Option(`${v.name} (${v.path.slice(-1)[0] || ''})`, v.code)));
    select.value = chosen;
  }
  for (const select of document.querySelectorAll('select[name=material]')) {
    const chosen = select.value;
    const materials = me ? me.materials : [];
    select.replaceChildren(new Option(t('chooseMaterial'), ''), ...materials.map((m) => new Option(m.title, m.slug)));
    select.value = chosen;
  }
}

// A view changed by the address's hash takes the focus to its heading (the open form's, in the record form), so a
// screen reader says where the officer is and the keyboard starts there; unless the view holds the focus already
// (a form's summary of errors takes it).
function focusView() {
  const view = document.querySelector('.view:not([hidden])');
  if (!view || view.contains(document.activeElement)) return;
  const heading = [...view.querySelectorAll('h1')].find((node) => node.offsetParent !== null);
  if (heading) heading.focus();
}

async function route() {
  const [view, arg] = location.hash.replace(/^#/, '').split('/');
  const name = ['new', 'records', 'record', 'edit'].includes(view) ? view : 'home';
  for (const section of document.querySelectorAll('.view')) section.hidden = true;
  $(`view-${name === 'edit' ? 'new' : name}`).hidden = false;
  markTab(name);
  if (name === 'home') await renderHome();
  if (name === 'records') await renderRecords();
  if (name === 'record') await renderRecord(arg);
  if (name === 'new') {
    if (arg && labels[arg]) await openForm(arg, null);
    else closeForm();
  }
  if (name === 'edit') {
    const record = await findRecord(arg);
    if (record) await openForm(record.type, record);
  }
}

// The tab of the view shown is marked, on screen and for a screen reader: a record's details and a form belong
// to the tab they were opened from.
const TAB_OF_VIEW = { home: '#home', new: '#new', edit: '#new', records: '#records', record: '#records' };
function markTab(view) {
  for (const tab of document.querySelectorAll('.tabs a')) {
    if (tab.getAttribute('href') === TAB_OF_VIEW[view]) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
}

// The officer chose a language: the server's cookie says it from now on (as the public pages' switch), the
// service worker keeps the app in it (static/js/service-worker.js), and the app opens again in it, now and
// offline later. It needs a connection: the cookie is the server's to set.
async function chooseLanguage(code) {
  if (code === lang) return;
  const message = $('language-message');
  try {
    const officer = await fetchMe();
    if (!officer) { message.textContent = t('loginAgain'); return; }
    const response = await fetch(`/bahasa/${code}`, {
      method: 'POST', credentials: 'same-origin', redirect: 'manual',
      headers: { 'X-CSRFToken': officer.csrf_token }, body: new URLSearchParams({ next: '/petugas' }),
    });
    if (response.type !== 'opaqueredirect' && !response.ok) throw new Error(`language: ${response.status}`);
  } catch (error) {
    message.textContent = t('languageOffline');
    return;
  }
  await keepAppIn(code);
  location.reload();
}

// Asks the service worker to keep the app in the language the server now answers in; waits for it, a while.
async function keepAppIn(code) {
  const worker = 'serviceWorker' in navigator && navigator.serviceWorker.controller;
  if (!worker) return;
  await new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = resolve;
    worker.postMessage({ type: 'language' }, [channel.port2]);
    setTimeout(resolve, LANGUAGE_WAIT_MS);
  });
}

async function render() {
  me = await store.getMeta('me');
  $('who').textContent = me ? me.user.name : '';
  $('login-again').hidden = (await store.getMeta('auth')) !== 'expired';
  fillChoices();
  const [view] = location.hash.replace(/^#/, '').split('/');
  if (view === 'new' || view === 'edit') return; // never redraw a form the officer is filling in
  await route();
}

// `manual`: go now, whatever the back-off says; `retryFailed`: try the set-aside records now too.
async function runSync({ manual = false, retryFailed = false } = {}) {
  if (sending) {
    // The connection may have come back while a failing attempt was running: go again after it.
    if (manual) runAgain = { retryFailed: retryFailed || Boolean(runAgain && runAgain.retryFailed) };
    return;
  }
  if (!manual && (await shouldWait())) return;
  sending = true;
  $('sync-message').textContent = t('syncing');
  let outcome;
  try {
    outcome = await syncNow({ retryFailed, urgency: codes.order.urgency });
  } catch (error) {
    outcome = { status: 'error', sent: 0 };
  }
  sending = false;
  connected = outcome.status !== 'offline';
  reachable(connected);
  const messages = {
    ok: outcome.sent ? t('synced', { count: outcome.sent }) : '',
    offline: t('offline'),
    login: t('loginAgain'),
    error: t('serverError'),
  };
  $('sync-message').textContent = messages[outcome.status];
  await render();
  showDrawn();
  if (outcome.status === 'ok') keepArticles();
  if (runAgain) {
    const again = runAgain;
    runAgain = null;
    await runSync({ manual: true, ...again });
  }
}

async function requestSync() {
  if ('serviceWorker' in navigator) {
    const registration = await navigator.serviceWorker.ready;
    if (registration.sync) await registration.sync.register(SYNC_TAG).catch(() => {});
  }
  await runSync({ manual: true });
}

// A word about the phone's storage only when it matters: records wait on a phone whose browser may clear them
// (its storage is not persistent), or space runs low; each says what to do.
async function showStorage(unsent) {
  const parts = [];
  if (navigator.storage && navigator.storage.persisted) {
    const persisted = await navigator.storage.persisted().catch(() => true);
    if (!persisted && unsent) parts.push(t('notPersisted'));
  }
  if (navigator.storage && navigator.storage.estimate) {
    const { usage, quota } = await navigator.storage.estimate().catch(() => ({}));
    if (quota && quota - usage < LOW_STORAGE_BYTES) parts.push(t('storageLow', { free: formatBytes(quota - usage) }));
  }
  $('storage').textContent = parts.join(' ');
}

// Last resort: the waiting and set-aside records as a file a manager can upload at the office.
async function exportWaiting() {
  const { outbox } = await myRecords();
  const waiting = outbox.filter((entry) => entry.state === 'waiting' || entry.state === 'failed');
  const file = {
    format: codes.outbox_file.format, version: codes.outbox_file.version, officer: me.user.username,
    device_id: await store.deviceId(),
    exported_at: new Date().toISOString(), records: waiting.map(wireRecord),
  };
  const link = el('a');
  link.href = URL.createObjectURL(new Blob([JSON.stringify(file, null, 1)], { type: 'application/json' }));
  link.download = `pimpasa-${me.user.username}-${file.exported_at.slice(0, 10)}.json`;
  document.body.append(link);
  link.click();
  link.remove();
  $('sync-message').textContent = t('exported', { count: waiting.length });
}

async function confirmLogout(event) {
  event.preventDefault();
  const { outbox } = await myRecords();
  if (!outbox.length) {
    await logoutNow();
    return;
  }
  $('logout-message').textContent = t('logoutWaiting', { count: outbox.length });
  $('logout-confirm').hidden = false;
}

async function logoutNow() {
  await store.setMeta('logout_pending', true); // from now on no sync starts before the server hears of it
  showLoggedOut();
  const username = me && me.user.username;
  me = null;
  // After a sync already under way, which would otherwise write the officer back:
  await withLock(async () => {
    await store.setMeta('me', null); // the next officer on this phone never sees this one's records
    if (username) await store.forgetSeen(username); // their unsent ones stay in the outbox, for them
  });
  await closeAfterLogout();
}

// The home view's cards show once drawn with what the phone knows, or on a first start with what the server
// sent: cards filling in on screen would push the page about under the officer's thumb.
function showDrawn() {
  document.body.classList.add('drawn');
}

// After a log-out the app shows nothing of the officer; once the server has ended the session too, the
// log-in page. Without a connection it stays closed, and says so, until the connection returns.
function showLoggedOut() {
  document.body.classList.add('logged-out');
  $('logged-out').hidden = false;
}

async function closeAfterLogout() {
  showLoggedOut();
  // Listening before trying: a connection that returns while this try is under way tries again.
  window.addEventListener('online', closeAfterLogout, { once: true });
  if ((await finishLogout()) !== 'offline') {
    window.removeEventListener('online', closeAfterLogout);
    location.replace($('logged-out-login').href);
  }
}

// A new worker asks to take over as soon as it is installed (static/js/service-worker.js), but Chromium may leave
// it waiting for good when the worker it replaces was woken by a request of this page just as it was being
// stopped for it: it is asked again every few seconds while it waits, until it controls the page.
function askToTakeOver(registration) {
  const timer = setInterval(() => {
    if (registration.waiting) registration.waiting.postMessage({ type: 'take-over' });
    else if (!registration.installing) clearInterval(timer);
  }, TAKE_OVER_EVERY_MS);
}

async function start() {
  if (await store.getMeta('logout_pending').catch(() => false)) {
    await closeAfterLogout();
    return;
  }
  document.querySelectorAll('.record-form').forEach((form) => {
    form.addEventListener('submit', saveRecord);
    form.addEventListener('input', keepDraft);
    form.addEventListener('change', keepDraft);
    form.querySelector('.locate').addEventListener('click', locate);
    form.querySelector('.cancel').addEventListener('click', async () => {
      if (editing && me) await store.deleteDraft(draftKey());
      closeForm();
      history.back();
    });
    form.querySelectorAll('[data-photo-kind]').forEach((input) => input.addEventListener('change', addPhoto));
  });
  document.querySelectorAll('[data-new]').forEach((button) => {
    button.addEventListener('click', () => { location.hash = `#new/${button.dataset.new}`; });
  });
  $('record-edit').addEventListener('click', () => { location.hash = `#edit/${location.hash.split('/')[1]}`; });
  $('record-void').addEventListener('click', voidRecord);
  $('filter-type').addEventListener('change', renderRecords);
  $('filter-village').addEventListener('change', renderRecords);
  $('sync-now').addEventListener('click', () => runSync({ manual: true, retryFailed: true }));
  $('export').addEventListener('click', exportWaiting);
  $('logout').addEventListener('click', confirmLogout);
  $('logout-yes').addEventListener('click', logoutNow);
  $('logout-no').addEventListener('click', () => { $('logout-confirm').hidden = true; });
  $('reload').addEventListener('click', () => location.reload());
  document.querySelectorAll('[data-language]').forEach((button) => {
    button.addEventListener('click', () => chooseLanguage(button.dataset.language));
  });
  window.addEventListener('hashchange', async () => { await route(); focusView(); });
  window.addEventListener('online', () => runSync({ manual: true }));
  window.addEventListener('offline', () => { connected = false; render(); });
  setInterval(() => { if (navigator.onLine) runSync(); }, SYNC_EVERY_MS);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data && event.data.type === 'synced') render();
      // The worker installing asks for the page this app opened with (static/js/shell-worker.js).
      if (event.data && event.data.type === 'shell?' && event.ports[0]) event.ports[0].postMessage(firstPage);
    });
    // The first worker taking control is the app being installed; a later one is a new release.
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (controlled) $('updated').hidden = false;
      controlled = true;
    });
    navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' }).then(askToTakeOver).catch(() => {});
  }
  try {
    await render();
    if (me) showDrawn();
    if (location.hash.startsWith('#new') || location.hash.startsWith('#edit')) await route();
  } catch (error) {
    console.error(error);
    $('sync-message').textContent = t('dbError');
    showDrawn();
    return;
  }
  // Asked once: the browser decides (Chromium grants it to an installed app, or one used often).
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  runSync({ manual: true });
}

start();
