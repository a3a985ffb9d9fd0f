// The service worker's logic. The browser runs /sw.js (outreach/field/shell.py writes it: the constants only
// the server knows, then a call of `start` with them), so that the worker's scope is the whole site; this
// module only defines, and does nothing when imported (tests/js/service-worker.test.mjs imports it in Node).
// Every phone's worker keeps every guidance page once read for reading offline, answers the officer's app from
// the cached shell (so that it opens with no network), and any other page asked for with no connection with
// the offline page, never the browser's error. The API is never cached. The officer's part
// (static/js/shell-worker.js: the shell precached, the outbox replayed through Background Sync) is handed in by
// /sw.js, not imported here: the worker a guidance page installs (/sw.js?guidance) has none, so a villager's
// phone never downloads it.
import {
  GUIDANCE_CACHE, LANGUAGES, guidanceCache, isGuidancePage, languageIn,
} from './guidance-cache.js';

const CACHE_PREFIX = 'pimpasa-shell-';
const PAGES_PREFIX = 'pimpasa-pages-';
const SHELL = '/petugas';
// What a page not kept on the phone shows with no connection (outreach/templates/offline.html).
const OFFLINE = '/luring';
// The language the reader chose, as the worker last learned it; kept across the worker's restarts.
const LANGUAGE_CACHE = 'pimpasa-language';
const LANGUAGE_KEY = '/bahasa';

// How this worker answers a GET of the site: 'shell' (a navigation in the officer's app), 'precache' (an
// asset of the shell), 'guidance' (a library page, kept for reading offline), or null for the network as usual.
export function answerKind(request, url, precache) {
  if (request.mode === 'navigate' && (url.pathname === SHELL || url.pathname.startsWith(`${SHELL}/`))) return 'shell';
  if (precache.includes(url.pathname)) return 'precache';
  if (isGuidancePage(url.pathname)) return 'guidance';
  return null;
}

// A notice of an early warning as the server pushes it (outreach/notices.py `compose_push`: a title, a body, the
// warning's link) as a notification. Its page is always on this site: a link naming another address (a
// PUBLIC_URL this browser does not use) opens its path here.
export function pushedNotice(text, origin, icon) {
  let message;
  try {
    message = JSON.parse(text);
  } catch (error) {
    message = {};
  }
  if (!message || typeof message !== 'object') message = {};
  const link = new URL(typeof message.url === 'string' ? message.url : '/kelola/peringatan', origin);
  const page = new URL(link.pathname + link.search, origin).href;
  return {
    title: typeof message.title === 'string' && message.title ? message.title : 'Pimpasa',
    options: {
      body: typeof message.body === 'string' ? message.body : '', tag: page, renotify: true, icon, data: { page },
    },
  };
}

// The language a page was answered in, or null for anything but a page of the site (a QR code, the index).
async function languageOf(response) {
  const html = /^text\/html/.test(response.headers.get('Content-Type') || '');
  return html ? languageIn(await response.clone().text()) : null;
}

// `version` changes with every release; `precache` lists the officer's shell (the page, the manifest, every
// asset), `publicPrecache` what the public pages use; `urgency` the urgency codes, most urgent first, for the
// order the outbox leaves in; `outbox` is sync.js (its `finishLogout`, `syncNow` and `SYNC_TAG`) and `shell`
// static/js/shell-worker.js, both null in the guidance pages' worker. Every phone keeps the public assets and
// the offline page; only an officer's phone (one that opens /petugas) keeps the shell, so a villager reading
// guidance never downloads the officer's app.
//
// Pages are kept once per language (the reader chooses it with a cookie the worker cannot read, not in the
// address): guidance in `guidanceCache(lang)`, the release's shell and offline page in `pagesCache(lang)`. The
// reader's language is the one the server last answered a page in; only copies in it are ever answered.
export function start({
  version, precache, publicPrecache, urgency, outbox, shell: officersPart,
}) {
  const cacheName = CACHE_PREFIX + version;
  const releasePages = `${PAGES_PREFIX}${version}-`;
  const pagesCache = (lang) => releasePages + lang;
  const known = [...new Set([...publicPrecache, ...precache])];
  // Static files are at versioned addresses (outreach/assets.py), so the HTTP cache may answer for them (the
  // page has just downloaded them: each is downloaded once); the other URLs are revalidated. `error` refuses
  // to cache a log-in redirect in place of the shell.
  const precacheRequest = (url) => new Request(url, { cache: url.startsWith('/static/') ? 'default' : 'no-cache', redirect: 'error' });
  let language = null;
  // Whether the last request the worker sent reached the server, and the pages it answered from the phone
  // because the network failed (their clients' ids): these say "you are offline" (static/js/online-status.js),
  // even where the browser believes it has a connection.
  let reachable = true;
  const servedOffline = new Set();

  function reached(ok) {
    if (ok === reachable) return;
    reachable = ok;
    self.clients.matchAll({ type: 'window' })
      .then((windows) => windows.forEach((client) => client.postMessage({ type: 'reachable', ok })));
  }

  async function readersLanguage() {
    if (!language) {
      const kept = await caches.match(LANGUAGE_KEY, { cacheName: LANGUAGE_CACHE });
      const text = kept ? await kept.text() : '';
      language = LANGUAGES.includes(text) ? text : LANGUAGES[0];
    }
    return language;
  }

  // A page as the reader gets it (with their cookie: in the language they chose), kept with the release's
  // pages of its language. Returns that language.
  async function keepPage(url) {
    const response = await fetch(precacheRequest(url));
    const lang = response.ok && await languageOf(response);
    if (!lang || (url === SHELL && response.headers.get('X-Release') !== version)) throw new Error(`${url} not kept`);
    await (await caches.open(pagesCache(lang))).put(url, response);
    return lang;
  }

  async function rememberLanguage(lang) {
    const changed = lang !== (await readersLanguage());
    if (changed) {
      language = lang;
      await (await caches.open(LANGUAGE_CACHE)).put(LANGUAGE_KEY, new Response(lang));
    }
    return changed;
  }

  // The officer's part, given what it shares with the rest: null in the guidance pages' worker.
  const officer = officersPart && officersPart.start({
    version, precache, publicPrecache, urgency, outbox, cacheName, pagesCache, precacheRequest, keepPage,
    SHELL, CACHE_PREFIX, PAGES_PREFIX,
  });

  // The server answered a page in `lang`: the reader's language from now on. The offline page in it is kept
  // if it is not yet, and on an officer's phone the app in it too, so that it opens in it offline.
  async function learnLanguage(lang) {
    if (!lang) return;
    const changed = await rememberLanguage(lang);
    const pages = await caches.open(pagesCache(lang));
    if (!(await pages.match(OFFLINE))) await keepPage(OFFLINE);
    if (changed && officer) await officer.learned(lang);
  }

  // Guidance: the network first (so corrections reach readers), a copy kept for reading offline with the
  // copies of its language. A page answered to a logged-in user (the server marks it `no-store`: it holds their
  // menu and form tokens) is shown but never kept. Offline, only a copy in the reader's language answers.
  async function guidance(request, { keep, unreached }) {
    let response;
    try {
      response = await fetch(request);
    } catch (error) {
      unreached();
      const cached = await caches.match(request, { cacheName: guidanceCache(await readersLanguage()), ignoreVary: true });
      if (cached) return cached;
      throw error;
    }
    reached(true);
    const lang = await languageOf(response);
    if (request.mode === 'navigate') keep(learnLanguage(lang));
    const personal = /no-store/.test(response.headers.get('Cache-Control') || '');
    if (response.ok && !personal) {
      const cache = await caches.open(guidanceCache(lang || (await readersLanguage())));
      await cache.put(request, response.clone());
    }
    return response;
  }

  function precached(request) {
    const { pathname } = new URL(request.url);
    return caches.match(pathname, { cacheName }).then((cached) => cached || fetch(request));
  }

  // The cached shell in the reader's language answers at once; the network is asked whether it changed (a
  // conditional request: an unchanged shell is a 304 with no body) and a fresh copy of the same release is
  // kept in the language the server answered in. The guidance pages' worker answers the app so too (an officer
  // logging in on a phone that read guidance): it opens offline before the whole worker is installed, which
  // then keeps that copy rather than download it again.
  async function shell(request, { keep, unreached }) {
    const cache = await caches.open(pagesCache(await readersLanguage()));
    const cached = await cache.match(SHELL);
    const etag = cached && cached.headers.get('ETag');
    const refresh = fetch(SHELL, { cache: 'no-store', redirect: 'error', headers: etag ? { 'If-None-Match': etag } : {} })
      .then(async (response) => {
        reached(true);
        const lang = response.status === 200 && response.headers.get('X-Release') === version && await languageOf(response);
        if (lang) {
          await (await caches.open(pagesCache(lang))).put(SHELL, response.clone());
          keep(learnLanguage(lang));
        }
        return response;
      })
      .catch(() => {
        unreached();
        return null;
      });
    keep(refresh);
    if (cached) return cached;
    return (await refresh) || fetch(request);
  }

  const handlers = { shell, precache: precached, guidance };

  // The offline page in the reader's language (in the other only if it was never kept in theirs).
  async function offlinePage() {
    const lang = await readersLanguage();
    for (const other of [lang, ...LANGUAGES.filter((l) => l !== lang)]) {
      const page = await caches.match(OFFLINE, { cacheName: pagesCache(other) });
      if (page) return page;
    }
    return Response.error();
  }

  // A navigation: its handler's answer or the network's, from which the worker learns the reader's language;
  // with neither a connection nor a copy, the offline page.
  async function navigate(request, handler, hooks) {
    if (officer) await officer.beforeNavigation();
    try {
      if (handler) return await handler(request, hooks);
      const response = await fetch(request);
      reached(true);
      hooks.keep(languageOf(response).then(learnLanguage));
      return response;
    } catch (error) {
      hooks.unreached();
      return offlinePage();
    }
  }

  // Guidance kept before copies were kept per language (one cache, by address only): each page goes to the
  // copies of its language; what has no language of its own (a QR code, the index) is fetched again when read.
  async function sortOldCopies() {
    if (!(await caches.has(GUIDANCE_CACHE))) return;
    const old = await caches.open(GUIDANCE_CACHE);
    for (const request of await old.keys()) {
      const response = await old.match(request);
      const lang = await languageOf(response);
      if (lang) await (await caches.open(guidanceCache(lang))).put(request, response);
    }
    await caches.delete(GUIDANCE_CACHE);
  }

  self.addEventListener('install', (event) => {
    event.waitUntil((async () => {
      const cache = await caches.open(cacheName);
      await cache.addAll(publicPrecache.map(precacheRequest));
      // Asked with the reader's cookie, the offline page also tells their language (else the next page will).
      await keepPage(OFFLINE).then(rememberLanguage).catch(() => {});
      if (officer) await officer.install(event);
      await self.skipWaiting();
    })());
  });

  self.addEventListener('activate', (event) => {
    event.waitUntil((async () => {
      const names = await caches.keys();
      const old = names.filter((name) => (name.startsWith(CACHE_PREFIX) && name !== cacheName)
        || (name.startsWith(PAGES_PREFIX) && !name.startsWith(releasePages)));
      await Promise.all(old.map((name) => caches.delete(name)));
      await sortOldCopies();
      await self.clients.claim();
    })());
  });

  self.addEventListener('fetch', (event) => {
    const { request } = event;
    const url = new URL(request.url);
    if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
    const kind = answerKind(request, url, known);
    const handler = kind && handlers[kind];
    const hooks = {
      keep: (work) => event.waitUntil(work.catch(() => {})),
      // The network failed: the page this request opens, if any, is from the phone and says so as it opens.
      unreached: () => {
        reached(false);
        if (event.resultingClientId) servedOffline.add(event.resultingClientId);
      },
    };
    if (kind === 'shell' && officer) hooks.keep(officer.opened());
    if (request.mode === 'navigate') event.respondWith(navigate(request, handler, hooks));
    else if (handler) event.respondWith(handler(request, hooks));
  });

  // A notice pushed by the server is shown; a click on it focuses a window already showing its warning, or
  // opens one (on this site only).
  const icon = publicPrecache.find((url) => url.endsWith('/icons/icon-192.png'));
  self.addEventListener('push', (event) => {
    const { title, options } = pushedNotice(event.data ? event.data.text() : '', self.location.origin, icon);
    event.waitUntil(self.registration.showNotification(title, options));
  });

  self.addEventListener('notificationclick', (event) => {
    event.notification.close();
    const page = event.notification.data && event.notification.data.page;
    if (typeof page !== 'string' || new URL(page).origin !== self.location.origin) return;
    event.waitUntil((async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((client) => client.url === page);
      if (open) await open.focus();
      else await self.clients.openWindow(page);
    })());
  });

  // A page, as it opens, asks whether it came from the network (static/js/online-status.js). The officer's
  // app says the officer chose a language (static/js/app.js): the app is kept as the server now answers it, in
  // that language, which is the reader's from now on; it is answered once done, to open the app again in it.
  self.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'reachable?' && event.source) {
      event.source.postMessage({ type: 'reachable', ok: !servedOffline.delete(event.source.id) });
    }
    // The officer's app asks a worker left waiting to take over again (static/js/app.js `askToTakeOver`).
    if (event.data && event.data.type === 'take-over') event.waitUntil(self.skipWaiting());
    if (event.data && event.data.type === 'language' && event.ports[0]) {
      event.waitUntil(keepPage(SHELL).then(learnLanguage).catch(() => {})
        .then(() => event.ports[0].postMessage('kept')));
    }
  });
}
