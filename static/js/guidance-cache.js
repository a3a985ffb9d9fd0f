// The guidance pages kept on the phone for reading offline: one definition for the public pages (their "save
// all guidance" button), the officer's app (the catalogue's articles), the offline page (the list of what is
// kept) and the service worker (each page once read).
export const GUIDANCE_CACHE = 'pimpasa-guidance';
// The site's languages. The reader chooses one with a cookie (the footer's switch), not in the address, so an
// address alone cannot tell an Indonesian copy from an English one: pages are kept in one cache per language,
// and a reader is only ever given the copies of the language they chose.
export const LANGUAGES = ['id', 'en'];

export function guidanceCache(lang) {
  return `${GUIDANCE_CACHE}-${lang}`;
}

// A guidance page as a stranger reading in `lang` sees it: no cookie (a logged-in reader's menu and tokens are
// never kept), so the server answers in the language asked for.
export function guidanceRequest(url, lang) {
  return new Request(url, { credentials: 'omit', headers: { 'Accept-Language': lang } });
}

// The language a page of the site is written in (its `<html lang>`), or null for anything else.
export function languageIn(html) {
  const found = /<html[^>]*\slang="([^"]+)"/.exec(html.slice(0, 1000));
  return found && LANGUAGES.includes(found[1]) ? found[1] : null;
}

// The pages of the library: its home, an article, its QR code and print view, the index of them all, contacts,
// offices and about; never an article's uploaded file (/panduan/<slug>/berkas), a download. Written in syntax
// JavaScript and Python read alike (tests/test_guidance_files.py reads it too).
export const GUIDANCE_PAGES = /^\/($|panduan\/[^/]+(\/(qr\.svg|cetak))?$|panduan\.json$|kontak$|kantor$|tentang$)/;

export function isGuidancePage(pathname) {
  return GUIDANCE_PAGES.test(pathname);
}
