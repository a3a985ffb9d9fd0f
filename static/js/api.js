// The phone's transport: every request the outbox, the photos, the pull and the log-out make to the server's
// API, each answer sorted into what the caller does next. Nothing here reads or writes the phone's storage,
// and nothing here decides what the queue does (that is outbox.js).

const JSON_HEADERS = { Accept: 'application/json' };

function getJson(url) {
  return fetch(url, { credentials: 'same-origin', cache: 'no-store', headers: JSON_HEADERS });
}

// The logged-in officer's profile, with a CSRF token for the requests that change something; null when the
// session has ended. Throws when no answer came.
export async function fetchMe() {
  const response = await getJson('/api/v1/me');
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(`me ${response.status}`);
  return response.json();
}

// A record as the server takes it, in a push or in the export file.
export function wireRecord({ id, type, data, updated_at: updatedAt, voided }) {
  const record = { id, type, data, updated_at: updatedAt };
  if (voided) record.voided = true;
  return record;
}

// One push, its answer sorted: `ok` (with the server's `results`), `login` (the session has ended), `csrf`
// (the token is stale), `too_large` (413), `failed` (a 5xx, a 400 not about the token, or no answer: the
// server or the network may be at fault) or `refused` (any other refusal). `error` is what a record that
// failed keeps: the HTTP status (null when no answer came) and the server's message.
async function pushWith(token, batch, device, pending) {
  let response;
  try {
    response = await fetch('/api/v1/sync', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { ...JSON_HEADERS, 'Content-Type': 'application/json', 'X-CSRFToken': token },
      body: JSON.stringify({ device_id: device, pending, records: batch.map(wireRecord) }),
    });
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

// The session of one sync attempt, from the CSRF token /api/v1/me gave. Its token is renewed once when the
// server calls it stale (the officer logged in again in another tab, which made a new one); a second stale
// answer comes back as `csrf`.
export function session(token) {
  let current = token;
  let renewed = false;
  return {
    get token() { return current; },
    async push(batch, device, pending) {
      const answer = await pushWith(current, batch, device, pending);
      if (answer.kind !== 'csrf' || renewed) return answer;
      renewed = true;
      let fresh;
      try {
        fresh = await fetchMe();
      } catch (error) {
        return { kind: 'failed', error: { status: null, message: null } };
      }
      if (!fresh) return { kind: 'login' };
      current = fresh.csrf_token;
      return this.push(batch, device, pending);
    },
  };
}

// Upload one photo of a record the server holds. Answers `ok` (stored there), `login`, `rejected` (with the
// server's message: the photo itself is refused) or `later` (try again at the next sync).
export async function putPhoto(photo, token) {
  const query = new URLSearchParams({ type: photo.record_type, record: photo.record_id, kind: photo.kind });
  const response = await fetch(`/api/v1/photos/${photo.id}?${query}`, {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'image/jpeg', 'X-CSRFToken': token },
    body: photo.blob,
  });
  if (response.status === 401) return { kind: 'login' };
  if (response.ok) return { kind: 'ok' };
  if (response.status === 400 || response.status === 413) {
    const body = await response.json().catch(() => ({}));
    return { kind: 'rejected', message: body.message || String(response.status) };
  }
  return { kind: 'later' };
}

// One page of the records changed on the server since revision `since` ({changes, next, more}), or null
// when the server did not give it.
export async function fetchChanges(since) {
  const response = await getJson(`/api/v1/changes?since=${since}`);
  return response.ok ? response.json() : null;
}

// End the server's session. True when it has ended (now, or before: another tab, the office, or this
// phone's other attempt); false when the server did not end it. Throws when no answer came.
export async function endSession() {
  const me = await fetchMe();
  if (!me) return true;
  const response = await fetch('/api/v1/logout', {
    method: 'POST', credentials: 'same-origin', headers: { ...JSON_HEADERS, 'X-CSRFToken': me.csrf_token },
  });
  return response.ok || response.status === 401;
}
