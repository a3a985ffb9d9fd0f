// The phone's queue policy, without a browser: which records go in which push, and when a record the
// server failed on is tried again. Run by tests/test_field.py with Node's own test runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { plan, pullFrom, retryDelay } from '../../static/js/sync.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const MINUTE = 60 * 1000;

function visit(name, changes = {}) {
  return {
    id: name, type: 'visit', data: { purpose: name }, state: 'waiting', tries: 0,
    created_at: `2026-12-01T09:${name.padStart(2, '0')}:00Z`, ...changes,
  };
}

const ids = (batches) => batches.map((batch) => batch.map((entry) => entry.id));

test('records never tried go in batches oldest first, an urgent warning before them', () => {
  const warning = { ...visit('09'), type: 'warning', data: { urgency: 'segera' } };
  const batches = plan([visit('03'), visit('01'), warning, visit('02')], 3, { now: NOW });
  assert.deepEqual(ids(batches), [['09', '01', '02'], ['03']]);
});

test('a record the server failed on goes alone after the others, once its time has come', () => {
  const suspect = visit('01', { tries: 1, next_try_at: new Date(NOW - 1).toISOString() });
  const resting = visit('02', { tries: 2, next_try_at: new Date(NOW + MINUTE).toISOString() });
  const batches = plan([suspect, resting, visit('03'), visit('04')], 10, { now: NOW });
  assert.deepEqual(ids(batches), [['03', '04'], ['01']]);
});

test('a set-aside record waits for its slow schedule, unless the officer presses Send now', () => {
  const failed = visit('01', { state: 'failed', tries: 3, next_try_at: new Date(NOW + 15 * MINUTE).toISOString() });
  assert.deepEqual(ids(plan([failed, visit('02')], 10, { now: NOW })), [['02']]);
  assert.deepEqual(ids(plan([failed, visit('02')], 10, { now: NOW, retryFailed: true })), [['02'], ['01']]);
  assert.deepEqual(ids(plan([failed], 10, { now: NOW + 15 * MINUTE })), [['01']]);
});

test('tries are spaced out: half a minute, a minute, then a quarter of an hour doubling up to six hours', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map(retryDelay), [0.5, 1, 15, 30, 60].map((m) => m * MINUTE));
  assert.equal(retryDelay(12), 6 * 60 * MINUTE);
  assert.equal(retryDelay(100), 6 * 60 * MINUTE);
});

test('after the server is restored from a backup, the phone pulls every change again', () => {
  assert.equal(pullFrom(40, 55), 40);
  assert.equal(pullFrom(55, 55), 55);
  assert.equal(pullFrom(90, 55), 0);
});
