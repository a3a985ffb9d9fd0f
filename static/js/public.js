// Progressive enhancement of the public pages: they work without it. Registers the service worker so that
// pages once read stay readable offline, saves the whole library on request, and reads an article aloud
// where the browser has a voice for its language; the leaflet's print button opens the browser's printing.
import { guidanceCache, guidanceRequest, isGuidancePage } from './guidance-cache.js';
import './online-status.js'; // says when the phone is offline

// The page's sentences; the leaflet (print view) has none and needs none.
const stringsNode = document.getElementById('public-strings');
const strings = stringsNode ? JSON.parse(stringsNode.textContent) : {};

async function saveAll(button) {
  const message = document.getElementById('save-all-message');
  message.textContent = strings.saving;
  button.disabled = true;
  try {
    const response = await fetch('/panduan.json', { cache: 'no-store' });
    const { urls } = await response.json();
    // In this page's language, the reader's, as a stranger would see them (no cookie: a logged-in reader's
    // menu and tokens are never kept).
    const { lang } = document.documentElement;
    const cache = await caches.open(guidanceCache(lang));
    await cache.addAll(urls.map((url) => guidanceRequest(url, lang)));
    message.textContent = strings.savedAll;
  } catch (error) {
    message.textContent = strings.saveFailed;
  }
  button.disabled = false;
}

function voiceFor(lang) {
  return speechSynthesis.getVoices().find((voice) => voice.lang.toLowerCase().startsWith(lang));
}

function setUpListening(button) {
  const lang = button.dataset.lang;
  const show = () => { button.hidden = !voiceFor(lang); };
  show();
  speechSynthesis.addEventListener('voiceschanged', show);
  button.addEventListener('click', () => {
    if (speechSynthesis.speaking) {
      speechSynthesis.cancel();
      button.textContent = strings.listen;
      return;
    }
    const text = [document.querySelector('h1'), document.getElementById('article-body')].map((n) => n.textContent).join('. ');
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.voice = voiceFor(lang);
    utterance.lang = utterance.voice.lang;
    utterance.addEventListener('end', () => { button.textContent = strings.listen; });
    speechSynthesis.speak(utterance);
    button.textContent = strings.stop;
  });
}

// Only the guidance pages install a worker here, the guidance pages' one (/sw.js?guidance: no outbox, no
// shell); the officer's app installs the whole worker from /petugas, which a guidance page never replaces.
async function registerWorker() {
  const registration = await navigator.serviceWorker.getRegistration('/');
  const worker = registration && (registration.active || registration.waiting || registration.installing);
  if (worker && new URL(worker.scriptURL).search !== '?guidance') return;
  await navigator.serviceWorker.register('/sw.js?guidance', { type: 'module', scope: '/' });
}

if ('serviceWorker' in navigator && isGuidancePage(location.pathname)) registerWorker().catch(() => {});
const saveButton = document.getElementById('save-all');
if (saveButton && 'caches' in window) {
  saveButton.hidden = false;
  saveButton.addEventListener('click', () => saveAll(saveButton));
}
const listenButton = document.getElementById('listen');
if (listenButton && 'speechSynthesis' in window) setUpListening(listenButton);
const printButton = document.getElementById('print');
if (printButton) {
  printButton.hidden = false;
  printButton.addEventListener('click', () => window.print());
}
