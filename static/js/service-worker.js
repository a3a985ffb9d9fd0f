// The service worker's logic. The browser runs /sw.js (outreach/field/shell.py writes it: the constants only
// the server knows, then a call of `start` with them), so that the worker's scope is the whole site; this
// module only defines, and does nothing when imported (tests/js/service-worker.test.mjs imports it in Node).
// It precaches the officer's shell and answers its navigations from the cache (so it opens with no network),
// replays the outbox through Background Sync, and keeps every guidance page once read for reading offline.
// The API is never cached.
import { GUIDANCE_CACHE, isGuidancePage } from './guidance-cache.js';
import { finishLogout, syncNow, SYNC_TAG } from './sync.js';

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

// `version` changes with every release; `precache` lists the shell's URLs; `urgency` the urgency codes, most
// urgent first, for the order the outbox leaves in.
export function start({ version, precache, urgency }) {
  const cacheName = CACHE_PREFIX + version;

  // The cached shell answers at once; a fresh copy of the same release replaces it in the background.
  async function shell(request) {
    const cache = await caches.open(cacheName);
    const cached = await cache.match(SHELL);
    const refresh = fetch(SHELL, { cache: 'no-store', redirect: 'error' })
      .then(async (response) => {
        if (response.ok && response.headers.get('X-Release') === version) await cache.put(SHELL, response.clone());
        return response;
      })
      .catch(() => null);
    if (cached) return cached;
    return (await refresh) || fetch(request);
  }

  function precached(request) {
    const { pathname } = new URL(request.url);
    return caches.match(pathname, { cacheName }).then((cached) => cached || fetch(request));
  }

  const handlers = { shell, precache: precached, guidance };

  self.addEventListener('install', (event) => {
    event.waitUntil((async () => {
      const cache = await caches.open(cacheName);
      // `reload` skips the HTTP cache; `error` refuses to cache a log-in redirect in place of the shell.
      const request = (url) => new Request(url, { cache: 'reload', redirect: 'error' });
      await cache.addAll(precache.filter((url) => url !== SHELL).map(request));
      // The shell needs a logged-in officer; for a villager reading guidance it is simply left out.
      await cache.add(request(SHELL)).catch(() => {});
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
    const kind = answerKind(request, url, precache);
    const handler = kind && handlers[kind];
    if (request.mode === 'navigate') {
      // A log-out made offline is finished with the server before any page is asked for.
      const first = finishLogout().catch(() => 'none');
      event.respondWith(first.then(() => (handler ? handler(request) : fetch(request))));
    } else if (handler) {
      event.respondWith(handler(request));
    }
  });

  self.addEventListener('sync', (event) => {
    if (event.tag !== SYNC_TAG) return;
    event.waitUntil((async () => {
      const outcome = await syncNow({ urgency });
      const windows = await self.clients.matchAll({ type: 'window' });
      for (const client of windows) client.postMessage({ type: 'synced', outcome });
      // An offline answer makes the browser try this sync again later.
      if (outcome.status === 'offline') throw new Error('offline');
    })());
  });
}
