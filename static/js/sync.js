// Sending the outbox and pulling changes. Runs in the page and in the service worker (Background Sync);
// a Web Lock keeps the two from sending at the same moment. Nothing here deletes a record: only the
// server's answer for that id does (see store.applyResults).
import * as store from './store.js';

export const SYNC_TAG = 'outbox';
const LOCK = 'pimpasa-outbox-sync';
const MAX_PULL_PAGES = 50;

function withLock(work) {
  const locks = self.navigator && self.navigator.locks;
  return locks ? locks.request(LOCK, work) : work();
}

async function getJson(url) {
  const response = await fetch(url, {
    credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' },
  });
  return response;
}

async function fetchMe() {
  const response = await getJson('/api/v1/me');
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(`me ${response.status}`);
  return response.json();
}

function post(batch, token, device) {
  return fetch('/api/v1/sync', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': token },
    body: JSON.stringify({
      device_id: device,
      records: batch.map(({ id, type, data, updated_at: updatedAt }) => ({ id, type, data, updated_at: updatedAt })),
    }),
  });
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

// Send every waiting record of the logged-in officer, then pull what changed.
// Answers {status: 'ok' | 'offline' | 'login' | 'error', sent}.
export function syncNow() {
  return withLock(async () => {
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
    const waiting = (await store.listOutbox())
      .filter((entry) => entry.officer === username && entry.state === 'waiting')
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    const queue = chunks(waiting, profile.limits.records);
    let sent = 0;
    let renewedToken = false;
    while (queue.length) {
      const batch = queue.shift();
      let response;
      try {
        response = await post(batch, token, device);
      } catch (error) {
        return { status: 'offline', sent };
      }
      if (response.status === 401) {
        await store.setMeta('auth', 'expired');
        return { status: 'login', sent };
      }
      if ((response.status === 400 || response.status === 403) && !renewedToken) {
        const body = await response.json().catch(() => ({}));
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
      await pull(username);
    } catch (error) {
      return { status: 'offline', sent };
    }
    await store.setMeta('last_sync', new Date().toISOString());
    return { status: 'ok', sent };
  });
}
