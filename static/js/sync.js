// Sending the outbox and pulling changes. Runs in the page and in the service worker (Background Sync);
// a Web Lock keeps the two from sending at the same moment. Nothing here deletes a record: only the
// server's answer for that id does (see store.applyResults).
//
// One record never holds the others. A push that fails (a 5xx, a 400 not about the token, or no answer)
// stops the attempt and backs off, as a server or network down for everyone must; when the last attempt
// failed too, the batch is split in halves and the rest of the queue goes on. A record that fails alone
// while an empty push right after it succeeds is the record's fault: it counts a try and is sent alone from
// then on, a little later each time; after a few tries it is set aside (`failed`) and tried on a slow
// schedule. The officer's "Send now" tries it at once. An empty push that fails too means the server or the
// network: nothing is counted against any record.
import * as store from './store.js';

export const SYNC_TAG = 'outbox';
const LOCK = 'pimpasa-outbox-sync';
const MAX_PULL_PAGES = 50;
const BACKOFF_FIRST_MS = 5 * 1000;
const BACKOFF_MAX_MS = 5 * 60 * 1000;
const TRIES_BEFORE_SET_ASIDE = 3;
const RETRY_FIRST_MS = 30 * 1000;
const SET_ASIDE_FIRST_MS = 15 * 60 * 1000;
const SET_ASIDE_MAX_MS = 6 * 60 * 60 * 1000;
// Urgent early warnings leave first, then everything else, oldest first.
const URGENCY_ORDER = { segera: 0, tinggi: 1 };

export function withLock(work) {
  const locks = self.navigator && self.navigator.locks;
  return locks ? locks.request(LOCK, work) : work();
}

function getJson(url) {
  return fetch(url, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
}

async function fetchMe() {
  const response = await getJson('/api/v1/me');
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(`me ${response.status}`);
  return response.json();
}

function post(batch, token, device, pending) {
  return fetch('/api/v1/sync', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': token },
    body: JSON.stringify({ device_id: device, pending, records: batch.map(wireRecord) }),
  });
}

// One push, its answer sorted into what the queue does next. `error` is what a record that failed keeps:
// the HTTP status (null when no answer came) and the server's message.
async function push(batch, token, device, pending) {
  let response;
  try {
    response = await post(batch, token, device, pending);
    if (response.ok) return { kind: 'ok', results: (await response.json()).results };
  } catch (error) {
    return { kind: 'failed', error: { status: null, message: null } };
  }
  if (response.status === 401) return { kind: 'login' };
  const body = await response.json().catch(() => ({}));
  const error = { status: response.status, message: typeof body.message === 'string' ? body.message : null };
  if ((response.status === 400 || response.status === 403) && body.error === 'csrf') return { kind: 'csrf' };
  if (response.status === 413) return { kind: 'too_large', error };
  if (response.status === 400 || response.status >= 500) return { kind: 'failed', error };
  return { kind: 'refused', error };
}

export function wireRecord({ id, type, data, updated_at: updatedAt, voided }) {
  const record = { id, type, data, updated_at: updatedAt };
  if (voided) record.voided = true;
  return record;
}

// A record the server failed on before: it goes alone, after the others.
function isSuspect(entry) {
  return entry.state === 'failed' || entry.tries > 0;
}

// How long a record waits after its `tries`-th failed try: 30 s, 1 min, then set aside: 15 min doubling to 6 h.
export function retryDelay(tries) {
  if (tries < TRIES_BEFORE_SET_ASIDE) return RETRY_FIRST_MS * 2 ** (tries - 1);
  return Math.min(SET_ASIDE_MAX_MS, SET_ASIDE_FIRST_MS * 2 ** (tries - TRIES_BEFORE_SET_ASIDE));
}

// The batches of one attempt: records never tried in batches of `limit`, urgent first; then each suspect
// alone, when its time has come or when `retryFailed`.
export function plan(outstanding, limit, { now = Date.now(), retryFailed = false } = {}) {
  const clean = outstanding.filter((entry) => !isSuspect(entry)).sort(queueOrder);
  const due = (entry) => retryFailed || !(Date.parse(entry.next_try_at) > now);
  const suspects = outstanding.filter((entry) => isSuspect(entry) && due(entry)).sort(queueOrder);
  return [...chunks(clean, limit), ...suspects.map((entry) => [entry])];
}

// The try a record alone failed with, while the server answered an empty push: set aside after a few.
function countTry(entry, error, now = Date.now()) {
  return store.updateVersion(entry, (current) => {
    const tries = (current.tries || 0) + 1;
    return {
      tries,
      last_error: error,
      last_try_at: new Date(now).toISOString(),
      state: tries >= TRIES_BEFORE_SET_ASIDE ? 'failed' : current.state,
      next_try_at: new Date(now + retryDelay(tries)).toISOString(),
    };
  });
}

export function queueOrder(a, b) {
  const rank = (entry) => (entry.type === 'warning' ? (URGENCY_ORDER[entry.data.urgency] ?? 2) : 2);
  return rank(a) - rank(b) || a.created_at.localeCompare(b.created_at);
}

function chunks(items, size) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// Where a pull starts: after the last change seen, or from the start when the cursor is past the server's
// revision (the server was restored from a backup: what came after it is gone, and revisions count again).
export function pullFrom(cursor, serverRevision) {
  return cursor > serverRevision ? 0 : cursor;
}

async function pull(username, serverRevision) {
  let since = pullFrom((await store.getMeta(`cursor:${username}`)) || 0, serverRevision);
  for (let page = 0; page < MAX_PULL_PAGES; page += 1) {
    const response = await getJson(`/api/v1/changes?since=${since}`);
    if (!response.ok) return;
    const body = await response.json();
    await store.putSeen(username, body.changes, body.next);
    since = body.next;
    if (!body.more) return;
  }
}

// Upload the photos of records the server already holds; a photo whose record is still waiting stays.
async function uploadPhotos(username, token, waitingIds) {
  const photos = (await store.listPhotos()).filter((p) => p.officer === username && p.state === 'waiting');
  for (const photo of photos) {
    if (waitingIds.has(photo.record_id)) continue;
    const query = new URLSearchParams({ type: photo.record_type, record: photo.record_id, kind: photo.kind });
    const response = await fetch(`/api/v1/photos/${photo.id}?${query}`, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'image/jpeg', 'X-CSRFToken': token },
      body: photo.blob,
    });
    if (response.status === 401) return 'login';
    if (response.ok) await store.deletePhoto(photo.id);
    else if (response.status === 400 || response.status === 413) {
      const body = await response.json().catch(() => ({}));
      await store.updatePhoto(photo.id, { state: 'rejected', error: body.message || String(response.status) });
    }
  }
  return 'ok';
}

// A log-out pressed with no connection is only half done: the phone has forgotten the officer, the server
// has not. It is finished here, before anything else talks to the server, so the next person to open the
// app or the log-in page never lands in the first officer's session. Answers 'none' (nothing pending),
// 'done', or 'offline' (still pending).
export async function finishLogout() {
  if (!(await store.getMeta('logout_pending'))) return 'none';
  try {
    const me = await fetchMe();
    if (me) {
      const response = await fetch('/api/v1/logout', {
        method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json', 'X-CSRFToken': me.csrf_token },
      });
      // 401: the session has ended already (another tab, the office, or this phone's other attempt).
      if (!response.ok && response.status !== 401) return 'offline';
    }
  } catch (error) {
    return 'offline';
  }
  await store.setMeta('logout_pending', null);
  return 'done';
}

async function backOff() {
  const failures = ((await store.getMeta('failures')) || 0) + 1;
  const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (failures - 1));
  await store.setMeta('failures', failures);
  await store.setMeta('retry_at', new Date(Date.now() + wait).toISOString());
}

// True when an automatic attempt should wait: the last ones failed and the back-off has not run out.
export async function shouldWait() {
  const retryAt = await store.getMeta('retry_at');
  return Boolean(retryAt) && new Date(retryAt) > new Date();
}

async function send({ retryFailed }) {
  let me;
  try {
    me = await fetchMe();
  } catch (error) {
    return { status: 'offline', sent: 0 };
  }
  if (!me) {
    await store.setMeta('auth', 'expired');
    return { status: 'login', sent: 0 };
  }
  const { csrf_token: firstToken, ...profile } = me;
  let token = firstToken;
  await store.setMeta('auth', 'ok');
  await store.setMeta('me', profile);
  const username = profile.user.username;
  const device = await store.deviceId();
  const failedBefore = (await store.getMeta('failures')) || 0;
  const mine = (await store.listOutbox()).filter((entry) => entry.officer === username);
  // Set-aside records are still waiting, for the office's count too.
  const outstanding = mine.filter((entry) => entry.state === 'waiting' || entry.state === 'failed');
  const queue = plan(outstanding, profile.limits.records, { retryFailed });
  // An empty push still tells the office this phone synced and how many records wait on it.
  if (!queue.length) queue.push([]);
  let sent = 0;
  let settled = 0;
  let renewedToken = false;
  const stop = (error) => ({ status: error.status === null ? 'offline' : 'error', sent });
  while (queue.length) {
    const batch = queue.shift();
    const pending = Math.max(0, outstanding.length - settled - batch.length);
    const answer = await push(batch, token, device, pending);
    if (answer.kind === 'login') {
      await store.setMeta('auth', 'expired');
      return { status: 'login', sent };
    }
    if (answer.kind === 'csrf') {
      if (renewedToken) return { status: 'error', sent };
      renewedToken = true;
      const fresh = await fetchMe().catch(() => null);
      if (!fresh) return { status: 'login', sent };
      token = fresh.csrf_token;
      queue.unshift(batch);
      continue;
    }
    if (answer.kind === 'ok') {
      sent += await store.applyResults(batch, answer.results);
      settled += batch.length;
      continue;
    }
    if (answer.kind === 'refused') return stop(answer.error);
    if (batch.length > 1 && (answer.kind === 'too_large' || failedBefore > 0)) {
      const half = Math.ceil(batch.length / 2);
      queue.unshift(batch.slice(0, half), batch.slice(half));
      continue;
    }
    if (answer.kind === 'too_large') {
      const message = answer.error.message || '413';
      await store.applyResults(batch, [{ id: batch[0].id, status: 'rejected', errors: { record: [message] } }]);
      settled += 1;
      continue;
    }
    // A push failed. Right after good attempts, stop and back off: the server or the network may be down
    // for everyone. A record already suspected, or one alone after failed attempts, is looked at closer.
    if (!batch.length || (failedBefore === 0 && !isSuspect(batch[0]))) return stop(answer.error);
    // One record alone failed: the record, or the server or the network? An empty push tells.
    const probe = await push([], token, device, pending + 1);
    if (probe.kind === 'login') {
      await store.setMeta('auth', 'expired');
      return { status: 'login', sent };
    }
    if (probe.kind !== 'ok') return stop(answer.error);
    await countTry(batch[0], answer.error);
  }
  try {
    const stillWaiting = new Set((await store.listOutbox()).map((entry) => entry.id));
    if ((await uploadPhotos(username, token, stillWaiting)) === 'login') return { status: 'login', sent };
    await pull(username, profile.revision);
  } catch (error) {
    return { status: 'offline', sent };
  }
  await store.setMeta('last_sync', new Date().toISOString());
  return { status: 'ok', sent };
}

// Send every waiting record and photo of the logged-in officer, then pull what changed; records the server
// failed on only when their time has come, or at once with `retryFailed` (the officer pressed "Send now").
// Answers {status: 'ok' | 'offline' | 'login' | 'error', sent}. Failures space the next automatic
// attempts out (5 s, 10 s, ... up to 5 minutes); a success resets that.
export function syncNow({ retryFailed = false } = {}) {
  return withLock(async () => {
    const logout = await finishLogout();
    if (logout === 'offline') return { status: 'offline', sent: 0 };
    if (logout === 'done') return { status: 'login', sent: 0 };
    const outcome = await send({ retryFailed });
    if (outcome.status === 'ok') {
      await store.setMeta('failures', 0);
      await store.setMeta('retry_at', null);
    } else if (outcome.status !== 'login') {
      await backOff();
    }
    return outcome;
  });
}
