// What a page says about the connection. On every page (outreach/templates/base.html, field/app.html): "you
// are offline" while the browser knows it has no connection, or a request to the server just failed (the
// service worker or the officer's app says so), gone when the connection returns; its words are the page's
// (`data-offline`, in the reader's language), in a status region, so that a screen reader says them too. On the
// offline page (outreach/templates/offline.html, which the service worker shows for a page the phone does not
// keep): what the phone keeps in the reader's language, and the page asked for again once the connection is
// back.
import { guidanceCache } from './guidance-cache.js';

const banner = document.getElementById('online-status');
const lang = document.documentElement.lang;
// The pages of the library a reader opens, not their QR codes, print views or index.
const LISTED = /^\/($|panduan\/[^/]+$|kontak$|kantor$|tentang$)/;
let failed = false;

function show() {
  if (banner) banner.textContent = navigator.onLine && !failed ? '' : banner.dataset.offline;
}

// Whether a request just reached the server.
export function reachable(ok) {
  failed = !ok;
  show();
}

// The guidance pages kept in the reader's language, by title; one copy of each page.
async function keptGuidance() {
  const cache = await caches.open(guidanceCache(lang));
  const pages = new Map();
  for (const request of await cache.keys()) {
    const url = new URL(request.url);
    if (!LISTED.test(url.pathname) || (pages.has(url.pathname) && url.search)) continue;
    const page = new DOMParser().parseFromString(await (await cache.match(request)).text(), 'text/html');
    const heading = page.querySelector('h1');
    pages.set(url.pathname, { href: url.pathname + url.search, title: (heading ? heading.textContent : page.title).trim() });
  }
  return [...pages.values()].sort((a, b) => a.title.localeCompare(b.title, lang));
}

// Whether the officer's app is kept in the reader's language (the worker keeps it once per language).
async function appKept(address) {
  const names = (await caches.keys()).filter((name) => name.endsWith(`-${lang}`));
  const found = await Promise.all(names.map((cacheName) => caches.match(address, { cacheName })));
  return found.some(Boolean);
}

async function listKept(list) {
  const pages = await keptGuidance();
  for (const { href, title } of pages) {
    const link = document.createElement('a');
    link.href = href;
    link.textContent = title;
    const item = document.createElement('li');
    item.append(link);
    list.append(item);
  }
  document.getElementById('kept').hidden = !pages.length;
  document.getElementById('nothing-kept').hidden = Boolean(pages.length);
  const app = document.getElementById('offline-app');
  app.hidden = !(await appKept(app.querySelector('a').pathname));
}

window.addEventListener('online', () => reachable(true));
window.addEventListener('offline', show);
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'reachable') reachable(event.data.ok);
  });
  if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ type: 'reachable?' });
}
show();

// The offline page opens the page asked for once the server answers again: asked when the browser says the
// connection is back (and every few seconds after, while it is not yet usable), or when the reader asks.
function openWhenReachable() {
  fetch(location.href, { method: 'HEAD', cache: 'no-store' })
    .then(() => location.reload(), () => { if (navigator.onLine) setTimeout(openWhenReachable, 3000); });
}

const keptList = document.getElementById('kept-list');
if (keptList) {
  document.getElementById('try-again').addEventListener('click', () => location.reload());
  window.addEventListener('online', openWhenReachable);
  if ('caches' in window) listKept(keptList);
}
