// The officer's part of the service worker, which /sw.js hands to static/js/service-worker.js (the worker of the
// guidance pages has none): it precaches the officer's shell, so that the app opens with no network, and
// replays the outbox through Background Sync.
import { answerKind } from './service-worker.js';
import { LANGUAGES, languageIn } from './guidance-cache.js';

// How long an install waits for a window of the app to answer with its page (an app older than this module
// does not answer) before downloading the shell.
const SHELL_ANSWER_WAIT_MS = 3000;

// `core` is what the worker's logic shares with this part: the release, its caches and how a page is kept.
export function start(core) {
  const {
    version, precache, publicPrecache, urgency, outbox, cacheName, pagesCache, precacheRequest, keepPage,
    SHELL, CACHE_PREFIX, PAGES_PREFIX,
  } = core;
  const shellAssets = precache.filter((url) => url !== SHELL && !publicPrecache.includes(url));
  // A page of this release names this release's app.js.
  const appScript = precache.find((url) => url.endsWith('/js/app.js'));

  const isShellWindow = (client) => answerKind({ mode: 'navigate' }, new URL(client.url), []) === 'shell';

  // An officer's phone: the shell is open in a window (the app registered this worker), or a worker (this
  // release's or the previous one's) kept it.
  async function officersPhone() {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    if (windows.some(isShellWindow)) return true;
    const names = (await caches.keys()).filter((name) => name.startsWith(CACHE_PREFIX) || name.startsWith(PAGES_PREFIX));
    const shells = await Promise.all(names.map((name) => caches.match(SHELL, { cacheName: name })));
    return shells.some(Boolean);
  }

  // The shell's assets not kept yet: all of them on an officer's first visit, none later.
  async function keepShellAssets() {
    const cache = await caches.open(cacheName);
    const kept = await Promise.all(shellAssets.map((url) => cache.match(url)));
    await cache.addAll(shellAssets.filter((url, i) => !kept[i]).map(precacheRequest));
  }

  // The shell as the app's first opening downloaded it from the server, before a worker kept it: each window of
  // the app is asked for the page it opened with (static/js/app.js), and the one that has it gives it; null if
  // none does.
  async function pageOfShell() {
    const windows = (await self.clients.matchAll({ type: 'window', includeUncontrolled: true })).filter(isShellWindow);
    const answers = windows.map((client) => new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => resolve(typeof event.data === 'string' ? event.data : null);
      client.postMessage({ type: 'shell?' }, [channel.port2]);
      setTimeout(resolve, SHELL_ANSWER_WAIT_MS, null);
    }));
    return (await Promise.all(answers)).find(Boolean) || null;
  }

  // The shell of this release, once: the page the app opened with, with the server's headers (the security policy
  // and the ETag the next opening asks with) from a HEAD, which has no body; else downloaded. Not again if this
  // release's worker of the guidance pages kept it.
  async function keepShell() {
    const kept = await Promise.all(LANGUAGES.map((lang) => caches.match(SHELL, { cacheName: pagesCache(lang) })));
    if (kept.some(Boolean)) return;
    const page = await pageOfShell();
    const lang = page && appScript && page.includes(appScript) && languageIn(page);
    if (lang) {
      const head = await fetch(SHELL, { method: 'HEAD', cache: 'no-store', redirect: 'error' });
      if (head.ok && head.headers.get('X-Release') === version) {
        const headers = new Headers(head.headers);
        for (const name of ['Content-Encoding', 'Content-Length']) headers.delete(name);
        await (await caches.open(pagesCache(lang))).put(SHELL, new Response(page, { headers }));
        return;
      }
    }
    await keepPage(SHELL);
  }

  async function install(event) {
    // A navigation in the app is this worker's to answer (the cached shell): without this route the browser
    // may also send it to the network while the worker starts (Chromium's automatic preload), a download of
    // the whole shell on each opening.
    if (event.addRoutes) {
      await event.addRoutes({ condition: { urlPattern: { pathname: `${SHELL}{/*}?` }, requestMode: 'navigate' }, source: 'fetch-event' })
        .catch(() => {});
    }
    if (await officersPhone()) {
      await keepShellAssets();
      // The shell needs a logged-in officer; without one it is kept on the first opening of the app.
      await keepShell().catch(() => {});
    }
  }

  // The reader's language changed to `lang`: the app is kept in it too, so that it opens in it offline.
  async function learned(lang) {
    const pages = await caches.open(pagesCache(lang));
    if (!(await pages.match(SHELL)) && (await officersPhone())) await keepPage(SHELL).catch(() => {});
  }

  self.addEventListener('sync', (event) => {
    if (event.tag !== outbox.SYNC_TAG) return;
    event.waitUntil((async () => {
      const outcome = await outbox.syncNow({ urgency });
      const windows = await self.clients.matchAll({ type: 'window' });
      for (const client of windows) client.postMessage({ type: 'synced', outcome });
      // An offline answer makes the browser try this sync again later.
      if (outcome.status === 'offline') throw new Error('offline');
    })());
  });

  return {
    install,
    learned,
    // A log-out made offline is finished with the server before any page is asked for.
    beforeNavigation: () => outbox.finishLogout().catch(() => 'none'),
    // The app opened on a phone whose worker did not keep the shell's assets at install (the app was not open
    // then): keep them now.
    opened: keepShellAssets,
  };
}
