// Records as the officer sees them, without a browser: a record's one-line summary and each village's last
// activity, both from what the server declares of each record type (outreach/records.py, through
// field.views.client_labels). Run by tests/test_field.py with Node's own test runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { lastActivity, peopleReached, summary } from '../../static/js/records.js';

// The declarations as client_labels sends them (in Indonesian), cut to what these functions read.
const LABELS = {
  visit: { summary: '{purpose}', people: [], people_label: { other: '%(count)s orang' }, counts_for_coverage: true, choices: {} },
  session: {
    summary: '{venue} · {people}', people: ['male_under_18', 'female_under_18', 'male_adult', 'female_adult'],
    people_label: { other: '%(count)s orang' }, counts_for_coverage: true, choices: { topics: { tppo: 'TPPO' } },
  },
  handout: {
    summary: '{material} × {quantity}', people: [], people_label: { other: '%(count)s orang' }, counts_for_coverage: false,
    choices: { format: { printed: 'Cetak' } },
  },
  warning: {
    summary: '{urgency} · {category}', people: [], people_label: { other: '%(count)s orang' }, counts_for_coverage: false,
    choices: { urgency: { segera: 'Segera' }, category: { recruiter: 'Calo' } },
  },
};

function record(type, data, changes = {}) {
  return { id: `${type}-${data.occurred_at || ''}`, type, data: { village: '15.71.01.1001', ...data }, ...changes };
}

const of = (r, titles) => summary(r, LABELS[r.type], titles);

test('a visit is summarised by its purpose, and by nothing when it has none', () => {
  assert.equal(of(record('visit', { purpose: 'Koordinasi' })), 'Koordinasi');
  assert.equal(of(record('visit', {})), '');
});

test('a session shows its venue and the people it reached, counts typed as text or left empty included', () => {
  const session = record('session', { venue: 'Balai desa', male_under_18: 3, female_under_18: '4', male_adult: 10 });
  assert.equal(peopleReached(session, LABELS.session), 17);
  assert.equal(of(session), 'Balai desa · 17 orang');
  assert.equal(peopleReached(record('visit', { male_adult: 5 }), LABELS.visit), 0);
});

test('in English one person is a person, and more are people', () => {
  const english = { ...LABELS.session, people_label: { one: '%(count)s person', other: '%(count)s people' } };
  const plurals = new Intl.PluralRules('en');
  assert.equal(summary(record('session', { venue: 'Hall', male_adult: 1 }), english, {}, plurals), 'Hall · 1 person');
  assert.equal(summary(record('session', { venue: 'Hall', male_adult: 2 }), english, {}, plurals), 'Hall · 2 people');
});

test('a hand-out shows the title of its material, or its code when the phone does not know the material', () => {
  const handout = record('handout', { material: 'kenali-tppo', quantity: 25 });
  assert.equal(of(handout, { material: { 'kenali-tppo': 'Kenali TPPO' } }), 'Kenali TPPO × 25');
  assert.equal(of(handout), 'kenali-tppo × 25');
});

test('a warning shows the labels of its urgency and category, and a code without a label as it is', () => {
  assert.equal(of(record('warning', { urgency: 'segera', category: 'recruiter' })), 'Segera · Calo');
  assert.equal(of(record('warning', { urgency: 'segera', category: 'baru' })), 'Segera · baru');
});

test('the last activity of a village is its latest visit or session, not voided, whatever else came later', () => {
  const records = [
    record('visit', { occurred_at: '2026-11-02T09:00:00Z' }),
    record('session', { occurred_at: '2026-11-20T09:00:00Z' }),
    record('visit', { occurred_at: '2026-11-25T09:00:00Z' }, { voided: true }),
    record('warning', { occurred_at: '2026-11-28T09:00:00Z' }),
    record('handout', { occurred_at: '2026-11-29T09:00:00Z' }),
    record('visit', { village: '15.71.01.1002', occurred_at: '2026-11-10T09:00:00Z' }),
    record('warning', { village: '15.71.01.1003', occurred_at: '2026-11-10T09:00:00Z' }),
  ];
  const last = lastActivity(records, LABELS);
  assert.deepEqual(Object.fromEntries(last), {
    '15.71.01.1001': '2026-11-20T09:00:00Z',
    '15.71.01.1002': '2026-11-10T09:00:00Z',
  });
});

test('a record of a type the phone has no labels for does not count as activity', () => {
  assert.equal(lastActivity([record('survey', { occurred_at: '2026-11-02T09:00:00Z' })], LABELS).size, 0);
});
