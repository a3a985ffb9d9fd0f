// What the service worker (static/js/service-worker.js) answers from its caches, and which guidance pages it
// keeps for reading offline (static/js/guidance-cache.js, which the public pages and the app use too). Run by
// tests/test_field.py under Node: importing the worker's logic does nothing until /sw.js starts it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { GUIDANCE_CACHE, isGuidancePage } from '../../static/js/guidance-cache.js';
import { answerKind, pushedNotice } from '../../static/js/service-worker.js';

const ORIGIN = 'https://pimpasa.example';
const PRECACHE = ['/petugas', '/manifest.webmanifest', '/static/js/app.js'];
const kind = (path, mode = 'no-cors') => answerKind({ mode }, new URL(path, ORIGIN), PRECACHE);

test('an article, its QR code and print view are kept for reading offline; its uploaded file is not', () => {
  const kept = ['/', '/panduan/kenali-tppo', '/panduan/kenali-tppo/qr.svg', '/panduan/kenali-tppo/cetak',
    '/panduan.json', '/kontak', '/kantor', '/tentang'];
  const never = ['/panduan/kenali-tppo/berkas', '/panduan/kenali-tppo/berkas/', '/panduan/berkas/berkas',
    '/panduan/kenali-tppo/cetak/x', '/kelola/materi/1/berkas', '/petugas', '/masuk', '/api/v1/me', '/kelola/', '/akun'];
  assert.deepEqual(kept.filter((path) => !isGuidancePage(path)), []);
  assert.deepEqual(never.filter((path) => isGuidancePage(path)), []);
  assert.equal(GUIDANCE_CACHE, 'pimpasa-guidance');
});

test('the officer\'s app opens from the cached shell, its assets from the precache, guidance network first', () => {
  assert.equal(kind('/petugas', 'navigate'), 'shell');
  assert.equal(kind('/petugas/anything', 'navigate'), 'shell');
  assert.equal(kind('/static/js/app.js'), 'precache');
  assert.equal(kind('/manifest.webmanifest'), 'precache');
  assert.equal(kind('/panduan/kenali-tppo?layar=penuh', 'navigate'), 'guidance');
  assert.equal(kind('/panduan/kenali-tppo/berkas', 'navigate'), null);
  assert.equal(kind('/kelola/', 'navigate'), null);
  assert.equal(kind('/static/js/unknown.js'), null);
});

test('a pushed notice shows its title and body, and its link opens on this site only', () => {
  const text = JSON.stringify({
    title: 'Peringatan dini Segera di Sungai Putri', body: 'Kategori: calo', url: 'https://elsewhere.example/kelola/peringatan/abc?x=1',
  });
  const { title, options } = pushedNotice(text, ORIGIN, '/static/r/icons/icon-192.png');
  assert.equal(title, 'Peringatan dini Segera di Sungai Putri');
  assert.equal(options.body, 'Kategori: calo');
  assert.equal(options.data.page, `${ORIGIN}/kelola/peringatan/abc?x=1`);
  assert.equal(options.tag, options.data.page);
  assert.equal(options.icon, '/static/r/icons/icon-192.png');
  for (const bad of ['not json', 'null', '{"url": "javascript:alert(1)"}', '{"url": "//evil.example/x"}']) {
    assert.equal(new URL(pushedNotice(bad, ORIGIN).options.data.page).origin, ORIGIN);
  }
  assert.equal(pushedNotice('', ORIGIN).title, 'Pimpasa');
});
