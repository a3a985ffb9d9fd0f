// The phone's queue policy (static/js/outbox.js), without a browser: which records go in which push, what the
// queue does when a push fails, and when a record the server failed on is tried again. Run by
// tests/test_field.py with Node's own test runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  afterFailure, afterTry, backoffDelay, halves, plan, pullFrom, queueOrder, retryDelay,
} from '../../static/js/outbox.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const MINUTE = 60 * 1000;
// As the server sends it (outreach/vocabulary.py URGENCY), most urgent first.
const URGENCY = ['segera', 'tinggi', 'biasa'];

function visit(name, changes = {}) {
  return {
    id: name, type: 'visit', data: { purpose: name }, state: 'waiting', tries: 0,
    created_at: `2026-12-01T09:${name.padStart(2, '0')}:00Z`, ...changes,
  };
}

function warning(name, urgency) {
  return { ...visit(name), type: 'warning', data: { urgency } };
}

const ids = (batches) => batches.map((batch) => batch.map((entry) => entry.id));

test('records never tried go in batches oldest first, an urgent warning before them', () => {
  const batches = plan([visit('03'), visit('01'), warning('09', 'segera'), visit('02')], 3, { urgency: URGENCY, now: NOW });
  assert.deepEqual(ids(batches), [['09', '01', '02'], ['03']]);
});

test('urgent warnings leave most urgent first; an ordinary one waits its turn among the other records', () => {
  const records = [visit('01'), warning('02', 'biasa'), warning('05', 'tinggi'), warning('07', 'segera'), visit('04')];
  assert.deepEqual(records.sort(queueOrder(URGENCY)).map((entry) => entry.id), ['07', '05', '01', '02', '04']);
});

test('the order is the server\'s: a new urgency it puts first leaves first', () => {
  const records = [warning('01', 'segera'), warning('02', 'darurat')];
  assert.deepEqual(records.sort(queueOrder(['darurat', ...URGENCY])).map((entry) => entry.id), ['02', '01']);
});

test('a record the server failed on goes alone after the others, once its time has come', () => {
  const suspect = visit('01', { tries: 1, next_try_at: new Date(NOW - 1).toISOString() });
  const resting = visit('02', { tries: 2, next_try_at: new Date(NOW + MINUTE).toISOString() });
  const batches = plan([suspect, resting, visit('03'), visit('04')], 10, { urgency: URGENCY, now: NOW });
  assert.deepEqual(ids(batches), [['03', '04'], ['01']]);
});

test('a set-aside record waits for its slow schedule, unless the officer presses Send now', () => {
  const failed = visit('01', { state: 'failed', tries: 3, next_try_at: new Date(NOW + 15 * MINUTE).toISOString() });
  const options = { urgency: URGENCY, now: NOW };
  assert.deepEqual(ids(plan([failed, visit('02')], 10, options)), [['02']]);
  assert.deepEqual(ids(plan([failed, visit('02')], 10, { ...options, retryFailed: true })), [['02'], ['01']]);
  assert.deepEqual(ids(plan([failed], 10, { ...options, now: NOW + 15 * MINUTE })), [['01']]);
});

test('tries are spaced out: half a minute, a minute, then a quarter of an hour doubling up to six hours', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map(retryDelay), [0.5, 1, 15, 30, 60].map((m) => m * MINUTE));
  assert.equal(retryDelay(12), 6 * 60 * MINUTE);
  assert.equal(retryDelay(100), 6 * 60 * MINUTE);
});

test('a record is set aside at its third failed try, and keeps what the server said', () => {
  const error = { status: 500, message: 'boom' };
  let record = visit('01');
  const states = [];
  for (let i = 0; i < 4; i += 1) {
    record = { ...record, ...afterTry(record, error, NOW) };
    states.push([record.tries, record.state, Date.parse(record.next_try_at) - NOW]);
  }
  assert.deepEqual(states, [
    [1, 'waiting', 0.5 * MINUTE], [2, 'waiting', MINUTE], [3, 'failed', 15 * MINUTE], [4, 'failed', 30 * MINUTE],
  ]);
  assert.deepEqual(record.last_error, error);
  assert.equal(record.last_try_at, new Date(NOW).toISOString());
});

test('failed attempts space the automatic ones out: 5 s doubling up to 5 minutes', () => {
  assert.deepEqual([1, 2, 3, 4].map(backoffDelay), [5000, 10000, 20000, 40000]);
  assert.equal(backoffDelay(7), 5 * MINUTE);
  assert.equal(backoffDelay(30), 5 * MINUTE);
});

test('a batch too large for the server is halved until one record alone is too large: that one needs fixing', () => {
  const batch = ['1', '2', '3', '4', '5'].map((name) => visit(name));
  assert.equal(afterFailure('too_large', batch, 0), 'split');
  assert.deepEqual(ids(halves(batch)), [['1', '2', '3'], ['4', '5']]);
  assert.deepEqual(ids(halves(batch.slice(0, 2))), [['1'], ['2']]);
  assert.equal(afterFailure('too_large', [batch[0]], 0), 'reject');
});

test('a push failing right after good attempts stops the attempt; after failed ones it is halved down to a probe', () => {
  const batch = [visit('01'), visit('02')];
  assert.equal(afterFailure('failed', batch, 0), 'stop');
  assert.equal(afterFailure('failed', [], 0), 'stop');
  assert.equal(afterFailure('failed', [], 2), 'stop');
  assert.equal(afterFailure('failed', batch, 1), 'split');
  assert.equal(afterFailure('failed', [visit('01')], 1), 'probe');
  assert.equal(afterFailure('failed', [visit('01', { tries: 1 })], 0), 'probe');
  assert.equal(afterFailure('refused', batch, 3), 'stop');
});

test('after the server is restored from a backup, the phone pulls every change again', () => {
  assert.equal(pullFrom(40, 55), 40);
  assert.equal(pullFrom(55, 55), 55);
  assert.equal(pullFrom(90, 55), 0);
});
