// The one module that knows the IndexedDB schema of the officer's app.
// Stores: `outbox` (records made on this phone, until the server acknowledges each id; each has a `state`:
// `waiting`, `failed` (the server kept failing on it: set aside, tried alone now and then) or `rejected`),
// `meta` (who is logged in, cursors, the device id), `seen` (records the server sent back, per officer),
// `drafts` (forms half filled, per officer and form), `photos` (shrunk JPEGs waiting to be uploaded).

export const DB_NAME = 'pimpasa-outreach';
export const DB_VERSION = 2;
const OUTBOX = 'outbox';
const META = 'meta';
const SEEN = 'seen';
const DRAFTS = 'drafts';
const PHOTOS = 'photos';

let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = (event) => {
        const db = request.result;
        // Each case upgrades from one version to the next; later versions add cases below, never edit these.
        switch (event.oldVersion) {
          case 0: {
            const outbox = db.createObjectStore(OUTBOX, { keyPath: 'id' });
            outbox.createIndex('officer', 'officer');
            db.createObjectStore(META, { keyPath: 'key' });
            const seen = db.createObjectStore(SEEN, { keyPath: 'key' });
            seen.createIndex('viewer', 'viewer');
          }
          // falls through
          case 1: {
            db.createObjectStore(DRAFTS, { keyPath: 'key' });
            const photos = db.createObjectStore(PHOTOS, { keyPath: 'id' });
            photos.createIndex('record', 'record_id');
          }
          // falls through to the next version's upgrade when there is one
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = () => { opening = null; reject(request.error); };
      request.onblocked = () => { opening = null; reject(new Error('blocked')); };
    });
  }
  return opening;
}

function done(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error('aborted'));
  });
}

function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function read(storeName, work) {
  const db = await openDb();
  return work(db.transaction(storeName, 'readonly').objectStore(storeName));
}

// Writes that hold officers' records are committed with strict durability: flushed to disk before we go on.
async function write(storeNames, work) {
  const db = await openDb();
  const transaction = db.transaction(storeNames, 'readwrite', { durability: 'strict' });
  const value = work(transaction);
  await done(transaction);
  return value;
}

export async function addRecord(entry) {
  await write(OUTBOX, (t) => t.objectStore(OUTBOX).put(entry));
}

export async function listOutbox() {
  return read(OUTBOX, (s) => result(s.getAll()));
}

export async function getRecord(id) {
  return read(OUTBOX, (s) => result(s.get(id)));
}

// What a record keeps of the pushes that failed on it; a new version starts with none.
const NO_TRIES = { tries: 0, last_error: null, last_try_at: null, next_try_at: null };

// A new version of a record: made here, or an edit of one the server holds (same id, later updated_at).
export async function saveVersion(entry) {
  await write(OUTBOX, (t) => t.objectStore(OUTBOX).put({ ...entry, ...NO_TRIES, state: 'waiting', errors: {} }));
}

// Change a record the way `changes(current)` says, unless it has been edited since `sent` was read.
export async function updateVersion(sent, changes) {
  await write(OUTBOX, (t) => {
    const store = t.objectStore(OUTBOX);
    const request = store.get(sent.id);
    request.onsuccess = () => {
      const current = request.result;
      if (current && current.updated_at === sent.updated_at) store.put({ ...current, ...changes(current) });
    };
  });
}

export async function getDraft(key) {
  const row = await read(DRAFTS, (s) => result(s.get(key)));
  return row ? row.fields : undefined;
}

export async function setDraft(key, fields) {
  await write(DRAFTS, (t) => t.objectStore(DRAFTS).put({ key, fields, saved_at: new Date().toISOString() }));
}

export async function deleteDraft(key) {
  await write(DRAFTS, (t) => t.objectStore(DRAFTS).delete(key));
}

export async function addPhoto(photo) {
  await write(PHOTOS, (t) => t.objectStore(PHOTOS).put(photo));
}

export async function listPhotos() {
  return read(PHOTOS, (s) => result(s.getAll()));
}

export async function updatePhoto(id, changes) {
  await write(PHOTOS, (t) => {
    const store = t.objectStore(PHOTOS);
    const request = store.get(id);
    request.onsuccess = () => { if (request.result) store.put({ ...request.result, ...changes }); };
  });
}

// Only the server's answer for a photo removes it: it has been stored there.
export async function deletePhoto(id) {
  await write(PHOTOS, (t) => t.objectStore(PHOTOS).delete(id));
}

// Apply the server's answers: only an `accepted` or `duplicate` for the exact version sent removes a record.
export async function applyResults(sent, results) {
  const sentById = new Map(sent.map((entry) => [entry.id, entry]));
  let confirmed = 0;
  await write(OUTBOX, (t) => {
    const store = t.objectStore(OUTBOX);
    for (const answer of results) {
      const entry = sentById.get(answer.id);
      if (!entry) continue;
      const request = store.get(entry.id);
      request.onsuccess = () => {
        const current = request.result;
        if (!current || current.updated_at !== entry.updated_at) return;
        if (answer.status === 'accepted' || answer.status === 'duplicate') {
          store.delete(entry.id);
          confirmed += 1;
        } else if (answer.status === 'rejected') {
          store.put({ ...current, ...NO_TRIES, state: 'rejected', errors: answer.errors || {} });
        }
      };
    }
  });
  return confirmed;
}

export async function getMeta(key) {
  const row = await read(META, (s) => result(s.get(key)));
  return row ? row.value : undefined;
}

export async function setMeta(key, value) {
  await write(META, (t) => t.objectStore(META).put({ key, value }));
}

export async function deviceId() {
  let id = await getMeta('device_id');
  if (!id) {
    id = crypto.randomUUID();
    await setMeta('device_id', id);
  }
  return id;
}

// Keep what the server sent for this officer and move their cursor, in one transaction.
export async function putSeen(viewer, changes, cursor) {
  await write([SEEN, META], (t) => {
    const seen = t.objectStore(SEEN);
    for (const change of changes) seen.put({ ...change, key: `${viewer}:${change.id}`, viewer });
    t.objectStore(META).put({ key: `cursor:${viewer}`, value: cursor });
  });
}

// Forget what the server sent this officer (it is theirs to pull again at their next log-in): on a shared phone
// the next person holds no copy of the records of someone else's villages.
export async function forgetSeen(viewer) {
  await write([SEEN, META], (t) => {
    const seen = t.objectStore(SEEN);
    seen.index('viewer').openKeyCursor(IDBKeyRange.only(viewer)).onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) return;
      seen.delete(cursor.primaryKey);
      cursor.continue();
    };
    t.objectStore(META).delete(`cursor:${viewer}`);
  });
}

export async function listSeen(viewer) {
  return read(SEEN, (s) => result(s.index('viewer').getAll(viewer)));
}
