// How the phone's checker reads WTForms' rules, without a browser. The rules here are cut-down examples in the
// shape RecordType.rules() gives; that the checker and the server agree on the real ones is tests/test_record_checks.py.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { check } from '../../static/js/checks.js';

const NOW = Date.parse('2026-11-28T03:00:00Z');
const RULES = {
  fields: {
    when: { kind: 'datetime', validators: [['data_required', 'Wajib.']], invalid: 'Bukan waktu.', zone_minutes: 420 },
    venue: { kind: 'text', validators: [['data_required', 'Wajib.'], ['length', -1, 5, 'Paling banyak 5.']] },
    notes: { kind: 'text', validators: [['optional'], ['length', -1, 3, 'Paling banyak 3.']] },
    topics: { kind: 'checklist', validators: [['data_required', 'Wajib.']], choices: ['tppo'], unknown: 'Tidak dikenal: %(value)s.' },
    format: { kind: 'select', validators: [['input_required', 'Pilih satu.']], choices: ['printed'], unknown: 'Not a valid choice.' },
    boys: { kind: 'count', validators: [['range', 0, 10, 'Antara 0 dan 10.']], invalid: 'Bilangan bulat.' },
    girls: { kind: 'count', validators: [['range', 0, 10, 'Antara 0 dan 10.']], invalid: 'Bilangan bulat.' },
    lat: { kind: 'number', validators: [['optional'], ['range', -90, 90, 'Lintang.']], invalid: 'Angka.' },
    lng: { kind: 'number', validators: [['optional'], ['range', -180, 180, 'Bujur.']], invalid: 'Angka.' },
    visit_id: { kind: 'reference', validators: [['optional']], invalid: 'Bukan id.' },
  },
  checks: [
    { check: 'not_after_now', fields: ['when'], message: 'Masa depan.', ms: 3600000 },
    { check: 'both_or_neither', fields: ['lat', 'lng'], message: 'Keduanya.' },
    { check: 'at_least_one', fields: ['boys', 'girls'], message: 'Paling sedikit satu.' },
  ],
  not_a_list: 'Daftar.',
  not_a_value: 'Teks atau angka.',
};
const GOOD = { when: '2026-11-28T01:00:00.000Z', venue: 'Balai', topics: ['tppo'], format: 'printed', girls: 3 };

test('a record that passes every rule has no errors', () => {
  assert.deepEqual(check(GOOD, RULES, { now: NOW }), {});
});

test('nobody counted is said beside the first count, and only when the counts themselves are right', () => {
  assert.deepEqual(check({ ...GOOD, girls: 0 }, RULES, { now: NOW }), { boys: ['Paling sedikit satu.'] });
  assert.deepEqual(check({ ...GOOD, girls: 0, boys: 1.5 }, RULES, { now: NOW }), { boys: ['Bilangan bulat.'] });
});

test('a required field stops at its one message, whatever was wrong before it', () => {
  const errors = check({ ...GOOD, venue: '   ', topics: [], format: '', when: 'kemarin' }, RULES, { now: NOW });
  assert.deepEqual(errors, { venue: ['Wajib.'], topics: ['Wajib.'], format: ['Pilih satu.'], when: ['Wajib.'] });
});

test('an optional field left empty has no errors; filled in, it has its own', () => {
  assert.deepEqual(check({ ...GOOD, notes: ' ' }, RULES, { now: NOW }), {});
  assert.deepEqual(check({ ...GOOD, notes: 'abcd' }, RULES, { now: NOW }), { notes: ['Paling banyak 3.'] });
  assert.deepEqual(check({ ...GOOD, lat: 'x', lng: 1 }, RULES, { now: NOW }), { lat: ['Angka.', 'Lintang.'] });
});

test('a position needs both halves; the missing one is named', () => {
  assert.deepEqual(check({ ...GOOD, lat: -1.6 }, RULES, { now: NOW }), { lng: ['Keduanya.'] });
  assert.deepEqual(check({ ...GOOD, lat: -1.6, lng: 103.6 }, RULES, { now: NOW }), {});
});

test('a moment is read with its offset, or in the program\'s zone without one, and checked against now', () => {
  // Now is 03:00 UTC, 10:00 WIB; an hour ahead is allowed for a phone's clock.
  assert.deepEqual(check({ ...GOOD, when: '2026-11-28T10:30' }, RULES, { now: NOW }), {});
  assert.deepEqual(check({ ...GOOD, when: '2026-11-28T11:30' }, RULES, { now: NOW }), { when: ['Masa depan.'] });
  assert.deepEqual(check({ ...GOOD, when: '2026-11-28T03:30:00+00:00' }, RULES, { now: NOW }), {});
  assert.deepEqual(check({ ...GOOD, when: '2026-11-28T04:30:00+00:00' }, RULES, { now: NOW }), { when: ['Masa depan.'] });
  // Not a moment, it is no moment at all to the required check after it, as in WTForms.
  assert.deepEqual(check({ ...GOOD, when: '2026-02-30T10:00' }, RULES, { now: NOW }), { when: ['Wajib.'] });
});

test('choices, ids and the shape of values are checked as the server checks them', () => {
  const errors = check({
    ...GOOD, topics: ['tppo', 'karaoke'], format: 'fax', visit_id: 'nope', venue: ['a'],
  }, RULES, { now: NOW });
  assert.deepEqual(errors, {
    topics: ['Tidak dikenal: karaoke.'], format: ['Not a valid choice.'], visit_id: ['Bukan id.'], venue: ['Teks atau angka.'],
  });
  assert.deepEqual(check({ ...GOOD, topics: 'tppo' }, RULES, { now: NOW }), { topics: ['Daftar.'] });
  assert.deepEqual(check({ ...GOOD, visit_id: '{0F8FAD5B-D9CB-469F-A165-70867728950E}' }, RULES, { now: NOW }), {});
});

test('text is measured in characters, as Python counts them', () => {
  assert.deepEqual(check({ ...GOOD, venue: '🙂🙂🙂🙂🙂' }, RULES, { now: NOW }), {});
});

test('a rule the checker does not know is an error, not a pass', () => {
  const rules = { ...RULES, checks: [{ check: 'someday', fields: ['venue'], message: '?' }] };
  assert.throws(() => check(GOOD, rules, { now: NOW }), /Unknown check someday/);
});
