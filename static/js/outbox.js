// The outbox's queue policy, pure: which records go in which push, what the queue does when a push fails,
// when a record the server failed on is tried again, and where the pull after it starts. No network and no
// IndexedDB here (sync.js acts on these answers), so that tests/js/outbox.test.mjs runs it under Node.
//
// One record never holds the others. A push that fails (a 5xx, a 400 not about the token, or no answer)
// stops the attempt and backs off, as a server or network down for everyone must; when the last attempt
// failed too, the batch is split in halves and the rest of the queue goes on. A record that fails alone
// while an empty push right after it succeeds is the record's fault: it counts a try and is sent alone from
// then on, a little later each time; after a few tries it is set aside (`failed`) and tried on a slow
// schedule. The officer's "Send now" tries it at once. An empty push that fails too means the server or the
// network: nothing is counted against any record.

const BACKOFF_FIRST_MS = 5 * 1000;
const BACKOFF_MAX_MS = 5 * 60 * 1000;
export const TRIES_BEFORE_SET_ASIDE = 3;
const RETRY_FIRST_MS = 30 * 1000;
const SET_ASIDE_FIRST_MS = 15 * 60 * 1000;
const SET_ASIDE_MAX_MS = 6 * 60 * 60 * 1000;

// A record the server failed on before: it goes alone, after the others.
export function isSuspect(entry) {
  return entry.state === 'failed' || entry.tries > 0;
}

// How long a record waits after its `tries`-th failed try: 30 s, 1 min, then set aside: 15 min doubling to 6 h.
export function retryDelay(tries) {
  if (tries < TRIES_BEFORE_SET_ASIDE) return RETRY_FIRST_MS * 2 ** (tries - 1);
  return Math.min(SET_ASIDE_MAX_MS, SET_ASIDE_FIRST_MS * 2 ** (tries - TRIES_BEFORE_SET_ASIDE));
}

// How long automatic attempts wait after `failures` failed ones in a row: 5 s, 10 s, ... up to 5 minutes.
export function backoffDelay(failures) {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (failures - 1));
}

// What a record keeps of a try it failed alone while the server answered an empty push (`current` is the
// record as stored): one more try, the server's words, and when it goes next; set aside after a few.
export function afterTry(current, error, now) {
  const tries = (current.tries || 0) + 1;
  return {
    tries,
    last_error: error,
    last_try_at: new Date(now).toISOString(),
    state: tries >= TRIES_BEFORE_SET_ASIDE ? 'failed' : current.state,
    next_try_at: new Date(now + retryDelay(tries)).toISOString(),
  };
}

// The order records leave in: urgent early warnings first, most urgent first, then everything else, oldest
// first. `urgency` lists the urgency codes most urgent first, as the server defines them; the last (the
// ordinary one) waits its turn like any other record.
export function queueOrder(urgency) {
  const ordinary = urgency.length - 1;
  const rank = (entry) => {
    const place = entry.type === 'warning' ? urgency.indexOf(entry.data.urgency) : -1;
    return place === -1 ? ordinary : place;
  };
  return (a, b) => rank(a) - rank(b) || a.created_at.localeCompare(b.created_at);
}

function chunks(items, size) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// The batches of one attempt: records never tried in batches of `limit`, urgent first; then each suspect
// alone, when its time has come or when `retryFailed`.
export function plan(outstanding, limit, { urgency, now = Date.now(), retryFailed = false }) {
  const order = queueOrder(urgency);
  const clean = outstanding.filter((entry) => !isSuspect(entry)).sort(order);
  const due = (entry) => retryFailed || !(Date.parse(entry.next_try_at) > now);
  const suspects = outstanding.filter((entry) => isSuspect(entry) && due(entry)).sort(order);
  return [...chunks(clean, limit), ...suspects.map((entry) => [entry])];
}

// What the queue does after a push of `batch` that the server did not take (`kind`, as api.push sorts its
// answers: 'failed', 'too_large' or 'refused'), `failuresBefore` being the failed attempts before this one:
// - 'split': send the batch again as its two halves (too large, or failing again after failed attempts);
// - 'reject': a record alone too large for the server: it needs fixing, the queue goes on;
// - 'probe': a record alone that failed after failed attempts, or one already suspected: an empty push
//   tells whether the record or the server is at fault;
// - 'stop': the server refused, or a push failed right after good attempts: stop, and back off.
export function afterFailure(kind, batch, failuresBefore) {
  if (kind === 'refused') return 'stop';
  if (batch.length > 1 && (kind === 'too_large' || failuresBefore > 0)) return 'split';
  if (kind === 'too_large') return 'reject';
  if (!batch.length || (failuresBefore === 0 && !isSuspect(batch[0]))) return 'stop';
  return 'probe';
}

// A batch in two halves, the larger first.
export function halves(batch) {
  const half = Math.ceil(batch.length / 2);
  return [batch.slice(0, half), batch.slice(half)];
}

// Where a pull starts: after the last change seen, or from the start when the cursor is past the server's
// revision (the server was restored from a backup: what came after it is gone, and revisions count again).
export function pullFrom(cursor, serverRevision) {
  return cursor > serverRevision ? 0 : cursor;
}
