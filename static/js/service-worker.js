// The service worker's logic. The browser runs /sw.js (outreach/field/shell.py writes it: the constants only
// the server knows, then a call of `start` with them), so that the worker's scope is the whole site; this
// module only defines, and does nothing when imported (tests/js/service-worker.test.mjs imports it in Node).
// It precaches the officer's shell on an officer's phone and answers its navigations from the cache (so it
// opens with no network), replays the outbox through Background Sync, and keeps every guidance page once read
// for reading offline. The API is never cached. The outbox's code (sync.js and what it imports) is handed in
// by /sw.js, not imported here: the worker a guidance page installs (/sw.js?guidance) has none, so a
// villager's phone never downloads it.
import { GUIDANCE_CACHE, isGuidancePage } from './guidance-cache.js';

const CACHE_PREFIX = 'pimpasa-shell-';
const SHELL = '/petugas';

// How this worker answers a GET of the site: 'shell' (a navigation in the officer's app), 'precache' (an
// asset of the shell), 'guidance' (a library page, kept for reading offline), or null for the network as usual.
export function answerKind(request, url, precache) {
  if (request.mode === 'navigate' && (url.pathname === SHELL || url.pathname.startsWith(`${SHELL}/`))) return 'shell';
  if (precache.includes(url.pathname)) return 'precache';
  if (isGuidancePage(url.pathname)) return 'guidance';
  return null;
}

// Guidance: the network first (so corrections reach readers), a copy kept for reading offline. A page
// answered to a logged-in user (the server marks it `no-store`: it holds their menu and form tokens) is
// shown but never kept.
async function guidance(request) {
  const cache = await caches.open(GUIDANCE_CACHE);
  try {
    const response = await fetch(request);
    const personal = /no-store/.test(response.headers.get('Cache-Control') || '');
    if (response.ok && !personal) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

// `version` changes with every release; `precache` lists the officer's shell (the page, the manifest, every
// asset), `publicPrecache` what the public pages use; `urgency` the urgency codes, most urgent first, for the
// order the outbox leaves in; `outbox` is sync.js (its `finishLogout`, `syncNow` and `SYNC_TAG`), or null in
// the guidance pages' worker. Every phone keeps the public assets; only an officer's phone (one that opens
// /petugas) keeps the shell, so a villager reading guidance never downloads the officer's app.
export function start({ version, precache, publicPrecache, urgency, outbox }) {
  const cacheName = CACHE_PREFIX + version;
  const known = [...new Set([...publicPrecache, ...precache])];
  const shellAssets = precache.filter((url) => url !== SHELL && !publicPrecache.includes(url));
  // Static files are at versioned addresses (outreach/assets.py), so the HTTP cache may answer for them (the
  // page has just downloaded them: each is downloaded once); the other URLs are revalidated. `error` refuses
  // to cache a log-in redirect in place of the shell.
  const precacheRequest = (url) => new Request(url, { cache: url.startsWith('/static/') ? 'default' : 'no-cache', redirect: 'error' });

  // The cached shell answers at once; the network is asked whether it changed (a conditional request: an
  // unchanged shell is a 304 with no body) and a fresh copy of the same release replaces it.
  async function shell(request) {
    const cache = await caches.open(cacheName);
    const cached = await cache.match(SHELL);
    const etag = cached && cached.headers.get('ETag');
    const refresh = fetch(SHELL, { cache: 'no-store', redirect: 'error', headers: etag ? { 'If-None-Match': etag } : {} })
      .then(async (response) => {
        if (response.status === 200 && response.headers.get('X-Release') === version) await cache.put(SHELL, response.clone());
        return response;
      })
      .catch(() => null);
    if (cached) return cached;
    return (await refresh) || fetch(request);
  }

  // The shell's assets not kept yet: all of them on an officer's first visit, none later.
  async function keepShellAssets() {
    const cache = await caches.open(cacheName);
    const kept = await Promise.all(shellAssets.map((url) => cache.match(url)));
    await cache.addAll(shellAssets.filter((url, i) => !kept[i]).map(precacheRequest));
  }

  // An officer's phone: the shell is open in a window (the app registered this worker), or the previous
  // release's worker kept it.
  async function officersPhone() {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    if (windows.some((client) => answerKind({ mode: 'navigate' }, new URL(client.url), []) === 'shell')) return true;
    const names = (await caches.keys()).filter((name) => name.startsWith(CACHE_PREFIX) && name !== cacheName);
    const shells = await Promise.all(names.map((name) => caches.match(SHELL, { cacheName: name })));
    return shells.some(Boolean);
  }

  function precached(request) {
    const { pathname } = new URL(request.url);
    return caches.match(pathname, { cacheName }).then((cached) => cached || fetch(request));
  }

  const handlers = { shell, precache: precached, guidance };

  self.addEventListener('install', (event) => {
    event.waitUntil((async () => {
      const cache = await caches.open(cacheName);
      await cache.addAll(publicPrecache.map(precacheRequest));
      if (await officersPhone()) {
        await keepShellAssets();
        // The shell needs a logged-in officer; without one it is kept on the first opening of the app.
        await cache.add(precacheRequest(SHELL)).catch(() => {});
      }
      await self.skipWaiting();
    })());
  });

  self.addEventListener('activate', (event) => {
    event.waitUntil((async () => {
      const names = await caches.keys();
      const old = names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== cacheName);
      await Promise.all(old.map((name) => caches.delete(name)));
      await self.clients.claim();
    })());
  });

  self.addEventListener('fetch', (event) => {
    const { request } = event;
    const url = new URL(request.url);
    if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
    const kind = answerKind(request, url, known);
    const handler = kind && handlers[kind];
    // The app opened on a phone whose worker did not keep the shell's assets at install (the app was not open
    // then): keep them now.
    if (kind === 'shell') event.waitUntil(keepShellAssets().catch(() => {}));
    if (request.mode === 'navigate' && outbox) {
      // A log-out made offline is finished with the server before any page is asked for.
      const first = outbox.finishLogout().catch(() => 'none');
      event.respondWith(first.then(() => (handler ? handler(request) : fetch(request))));
    } else if (handler) {
      event.respondWith(handler(request));
    }
  });

  self.addEventListener('sync', (event) => {
    if (!outbox || event.tag !== outbox.SYNC_TAG) return;
    event.waitUntil((async () => {
      const outcome = await outbox.syncNow({ urgency });
      const windows = await self.clients.matchAll({ type: 'window' });
      for (const client of windows) client.postMessage({ type: 'synced', outcome });
      // An offline answer makes the browser try this sync again later.
      if (outcome.status === 'offline') throw new Error('offline');
    })());
  });
}
