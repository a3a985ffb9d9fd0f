// Copies kept per language (static/js/guidance-cache.js): the language of a page is read from the page, each
// language has its cache, and a page saved for a language is asked for in it, without the reader's cookie.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  GUIDANCE_CACHE, LANGUAGES, guidanceCache, guidanceRequest, languageIn,
} from '../../static/js/guidance-cache.js';

test('a page\'s language is its <html lang>, and only a language of the site', () => {
  assert.equal(languageIn('<!doctype html>\n<html lang="en">\n<head>'), 'en');
  assert.equal(languageIn('<!doctype html>\n{# a comment #}\n<html class="x" lang="id">'), 'id');
  assert.equal(languageIn('<!doctype html>\n<html lang="fr">'), null);
  assert.equal(languageIn('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), null);
  assert.equal(languageIn('{"urls": []}'), null);
  assert.equal(languageIn(`<!doctype html>${' '.repeat(2000)}<html lang="en">`), null); // only the top is read
});

test('each language keeps its copies apart', () => {
  assert.deepEqual(LANGUAGES, ['id', 'en']);
  assert.deepEqual(LANGUAGES.map(guidanceCache), [`${GUIDANCE_CACHE}-id`, `${GUIDANCE_CACHE}-en`]);
  assert.notEqual(guidanceCache('id'), guidanceCache('en'));
});

test('a page is saved as a stranger reading in the language asked for would get it', () => {
  const request = guidanceRequest('https://pimpasa.example/panduan/kenali-tppo', 'en');
  assert.equal(request.credentials, 'omit');
  assert.equal(request.headers.get('Accept-Language'), 'en');
  assert.equal(request.url, 'https://pimpasa.example/panduan/kenali-tppo');
});
