// Service worker of the site, rendered by the server: VERSION changes with every release.
// It precaches the officer's shell and answers its navigations from the cache (so it opens with no network),
// replays the outbox through Background Sync, and keeps every guidance page once read for reading offline.
// The API is never cached.
import { finishLogout, syncNow, SYNC_TAG } from '/static/js/sync.js';

const VERSION = {{ version|tojson }};
const CACHE_PREFIX = 'pimpasa-shell-';
const CACHE = CACHE_PREFIX + VERSION;
const PRECACHE = {{ precache|tojson }};
const SHELL = '/petugas';
const GUIDANCE_CACHE = 'pimpasa-guidance';
// An article, its QR code and print view; never its uploaded file (/panduan/<slug>/berkas), a download.
const GUIDANCE_PAGES = /^\/($|panduan\/[^/]+(\/(qr\.svg|cetak))?$|panduan\.json$|kontak$|kantor$|tentang$)/;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // `reload` skips the HTTP cache; `error` refuses to cache a log-in redirect in place of the shell.
    const request = (url) => new Request(url, { cache: 'reload', redirect: 'error' });
    await cache.addAll(PRECACHE.filter((url) => url !== SHELL).map(request));
    // The shell needs a logged-in officer; for a villager reading guidance it is simply left out.
    await cache.add(request(SHELL)).catch(() => {});
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

// The cached shell answers at once; a fresh copy of the same release replaces it in the background.
async function shell(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(SHELL);
  const refresh = fetch(SHELL, { cache: 'no-store', redirect: 'error' })
    .then(async (response) => {
      if (response.ok && response.headers.get('X-Release') === VERSION) await cache.put(SHELL, response.clone());
      return response;
    })
    .catch(() => null);
  if (cached) return cached;
  return (await refresh) || fetch(request);
}

// How this worker answers a GET of the site, or null for the network as usual.
function answer(request, url) {
  if (request.mode === 'navigate' && (url.pathname === SHELL || url.pathname.startsWith(`${SHELL}/`))) return shell;
  if (PRECACHE.includes(url.pathname)) {
    return () => caches.match(url.pathname, { cacheName: CACHE }).then((cached) => cached || fetch(request));
  }
  if (GUIDANCE_PAGES.test(url.pathname)) return guidance;
  return null;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  const handler = answer(request, url);
  if (request.mode === 'navigate') {
    // A log-out made offline is finished with the server before any page is asked for.
    const first = finishLogout().catch(() => 'none');
    event.respondWith(first.then(() => (handler ? handler(request) : fetch(request))));
  } else if (handler) {
    event.respondWith(handler(request));
  }
});

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

self.addEventListener('sync', (event) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil((async () => {
    const outcome = await syncNow();
    const windows = await self.clients.matchAll({ type: 'window' });
    for (const client of windows) client.postMessage({ type: 'synced', outcome });
    // An offline answer makes the browser try this sync again later.
    if (outcome.status === 'offline') throw new Error('offline');
  })());
});
