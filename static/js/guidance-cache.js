// The guidance pages kept on the phone for reading offline: one definition for the public pages (their "save
// all guidance" button), the officer's app (the catalogue's articles) and the service worker (each page once
// read).
export const GUIDANCE_CACHE = 'pimpasa-guidance';

// The pages of the library: its home, an article, its QR code and print view, the index of them all, contacts,
// offices and about; never an article's uploaded file (/panduan/<slug>/berkas), a download. Written in syntax
// JavaScript and Python read alike (tests/test_guidance_files.py reads it too).
export const GUIDANCE_PAGES = /^\/($|panduan\/[^/]+(\/(qr\.svg|cetak))?$|panduan\.json$|kontak$|kantor$|tentang$)/;

export function isGuidancePage(pathname) {
  return GUIDANCE_PAGES.test(pathname);
}
