// Sending the outbox and pulling changes. Runs in the page and in the service worker (Background Sync);
// a Web Lock keeps the two from sending at the same moment. Nothing here deletes a record: only the
// server's answer for that id does (see store.applyResults).
import * as store from './store.js';

export const SYNC_TAG = 'outbox';
const LOCK = 'pimpasa-outbox-sync';
const MAX_PULL_PAGES = 50;
const BACKOFF_FIRST_MS = 5 * 1000;
const BACKOFF_MAX_MS = 5 * 60 * 1000;
// Urgent early warnings leave first, then everything else, oldest first.
const URGENCY_ORDER = { segera: 0, tinggi: 1 };

function withLock(work) {
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

export function wireRecord({ id, type, data, updated_at: updatedAt, voided }) {
  const record = { id, type, data, updated_at: updatedAt };
  if (voided) record.voided = true;
  return record;
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

async function pull(username) {
  let since = (await store.getMeta(`cursor:${username}`)) || 0;
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

async function send() {
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
  const mine = (await store.listOutbox()).filter((entry) => entry.officer === username);
  const waiting = mine.filter((entry) => entry.state === 'waiting').sort(queueOrder);
  // An empty push still tells the office this phone synced and has nothing waiting.
  const queue = waiting.length ? chunks(waiting, profile.limits.records) : [[]];
  let sent = 0;
  let renewedToken = false;
  while (queue.length) {
    const batch = queue.shift();
    let response;
    try {
      response = await post(batch, token, device, Math.max(0, waiting.length - sent - batch.length));
    } catch (error) {
      return { status: 'offline', sent };
    }
    if (response.status === 401) {
      await store.setMeta('auth', 'expired');
      return { status: 'login', sent };
    }
    if ((response.status === 400 || response.status === 403) && !renewedToken) {
      const body = await response.clone().json().catch(() => ({}));
      if (body.error === 'csrf') {
        renewedToken = true;
        const fresh = await fetchMe().catch(() => null);
        if (!fresh) return { status: 'login', sent };
        token = fresh.csrf_token;
        queue.unshift(batch);
        continue;
      }
    }
    if (response.status === 413 && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      queue.unshift(batch.slice(0, half), batch.slice(half));
      continue;
    }
    if (response.status === 413) {
      const body = await response.json().catch(() => ({}));
      await store.applyResults(batch, [{ id: batch[0].id, status: 'rejected', errors: { record: [body.message || '413'] } }]);
      continue;
    }
    if (!response.ok) return { status: 'error', sent };
    const body = await response.json();
    sent += await store.applyResults(batch, body.results);
  }
  try {
    const stillWaiting = new Set((await store.listOutbox()).map((entry) => entry.id));
    if ((await uploadPhotos(username, token, stillWaiting)) === 'login') return { status: 'login', sent };
    await pull(username);
  } catch (error) {
    return { status: 'offline', sent };
  }
  await store.setMeta('last_sync', new Date().toISOString());
  return { status: 'ok', sent };
}

// Send every waiting record and photo of the logged-in officer, then pull what changed.
// Answers {status: 'ok' | 'offline' | 'login' | 'error', sent}. Failures space the next automatic
// attempts out (5 s, 10 s, ... up to 5 minutes); a success resets that.
export function syncNow() {
  return withLock(async () => {
    const outcome = await send();
    if (outcome.status === 'ok') {
      await store.setMeta('failures', 0);
      await store.setMeta('retry_at', null);
    } else if (outcome.status !== 'login') {
      await backOff();
    }
    return outcome;
  });
}
