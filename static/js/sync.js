// Sending the outbox and pulling changes: the orchestration of api.js (the requests), outbox.js (the queue
// policy) and store.js (the phone's storage). Runs in the page and in the service worker (Background Sync);
// a Web Lock keeps the two from sending at the same moment. Nothing here deletes a record: only the
// server's answer for that id does (see store.applyResults).
import * as api from './api.js';
import {
  afterFailure, afterTry, backoffDelay, halves, plan, pullFrom,
} from './outbox.js';
import * as store from './store.js';

export const SYNC_TAG = 'outbox';
const LOCK = 'pimpasa-outbox-sync';
const MAX_PULL_PAGES = 50;

export function withLock(work) {
  const locks = self.navigator && self.navigator.locks;
  return locks ? locks.request(LOCK, work) : work();
}

async function pull(username, serverRevision) {
  let since = pullFrom((await store.getMeta(`cursor:${username}`)) || 0, serverRevision);
  for (let page = 0; page < MAX_PULL_PAGES; page += 1) {
    const body = await api.fetchChanges(since);
    if (!body) return;
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
    const answer = await api.putPhoto(photo, token);
    if (answer.kind === 'login') return 'login';
    if (answer.kind === 'ok') await store.deletePhoto(photo.id);
    else if (answer.kind === 'rejected') await store.updatePhoto(photo.id, { state: 'rejected', error: answer.message });
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
    if (!(await api.endSession())) return 'offline';
  } catch (error) {
    return 'offline';
  }
  await store.setMeta('logout_pending', null);
  return 'done';
}

async function backOff() {
  const failures = ((await store.getMeta('failures')) || 0) + 1;
  await store.setMeta('failures', failures);
  await store.setMeta('retry_at', new Date(Date.now() + backoffDelay(failures)).toISOString());
}

// True when an automatic attempt should wait: the last ones failed and the back-off has not run out.
export async function shouldWait() {
  const retryAt = await store.getMeta('retry_at');
  return Boolean(retryAt) && new Date(retryAt) > new Date();
}

async function send({ retryFailed, urgency }) {
  let me;
  try {
    me = await api.fetchMe();
  } catch (error) {
    return { status: 'offline', sent: 0 };
  }
  if (!me) {
    await store.setMeta('auth', 'expired');
    return { status: 'login', sent: 0 };
  }
  const { csrf_token: token, ...profile } = me;
  const connection = api.session(token);
  await store.setMeta('auth', 'ok');
  await store.setMeta('me', profile);
  const username = profile.user.username;
  const device = await store.deviceId();
  const failedBefore = (await store.getMeta('failures')) || 0;
  const mine = (await store.listOutbox()).filter((entry) => entry.officer === username);
  // Set-aside records are still waiting, for the office's count too.
  const outstanding = mine.filter((entry) => entry.state === 'waiting' || entry.state === 'failed');
  const queue = plan(outstanding, profile.limits.records, { urgency, retryFailed });
  // An empty push still tells the office this phone synced and how many records wait on it.
  if (!queue.length) queue.push([]);
  let sent = 0;
  let settled = 0;
  const stop = (error) => ({ status: error.status === null ? 'offline' : 'error', sent });
  const expired = async () => {
    await store.setMeta('auth', 'expired');
    return { status: 'login', sent };
  };
  while (queue.length) {
    const batch = queue.shift();
    const pending = Math.max(0, outstanding.length - settled - batch.length);
    const answer = await connection.push(batch, device, pending);
    if (answer.kind === 'login') return expired();
    if (answer.kind === 'csrf') return { status: 'error', sent };
    if (answer.kind === 'ok') {
      sent += await store.applyResults(batch, answer.results);
      settled += batch.length;
      continue;
    }
    const next = afterFailure(answer.kind, batch, failedBefore);
    if (next === 'stop') return stop(answer.error);
    if (next === 'split') {
      queue.unshift(...halves(batch));
      continue;
    }
    if (next === 'reject') {
      const message = answer.error.message || '413';
      await store.applyResults(batch, [{ id: batch[0].id, status: 'rejected', errors: { record: [message] } }]);
      settled += 1;
      continue;
    }
    // One record alone failed: the record, or the server or the network? An empty push tells.
    const probe = await connection.push([], device, pending + 1);
    if (probe.kind === 'login') return expired();
    if (probe.kind !== 'ok') return stop(answer.error);
    const now = Date.now();
    await store.updateVersion(batch[0], (current) => afterTry(current, answer.error, now));
  }
  try {
    const stillWaiting = new Set((await store.listOutbox()).map((entry) => entry.id));
    if ((await uploadPhotos(username, connection.token, stillWaiting)) === 'login') return { status: 'login', sent };
    await pull(username, profile.revision);
  } catch (error) {
    return { status: 'offline', sent };
  }
  await store.setMeta('last_sync', new Date().toISOString());
  return { status: 'ok', sent };
}

// Send every waiting record and photo of the logged-in officer, then pull what changed; records the server
// failed on only when their time has come, or at once with `retryFailed` (the officer pressed "Send now").
// `urgency` lists the urgency codes, most urgent first (the server's order: the page has it in its codes,
// the service worker among its constants). Answers {status: 'ok' | 'offline' | 'login' | 'error', sent}.
// Failures space the next automatic attempts out (outbox.backoffDelay); a success resets that.
export function syncNow({ retryFailed = false, urgency }) {
  return withLock(async () => {
    const logout = await finishLogout();
    if (logout === 'offline') return { status: 'offline', sent: 0 };
    if (logout === 'done') return { status: 'login', sent: 0 };
    const outcome = await send({ retryFailed, urgency });
    if (outcome.status === 'ok') {
      await store.setMeta('failures', 0);
      await store.setMeta('retry_at', null);
    } else if (outcome.status !== 'login') {
      await backOff();
    }
    return outcome;
  });
}
