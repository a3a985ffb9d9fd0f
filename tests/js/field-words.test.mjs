// What the officer reads in the app, without a browser: photo sizes as people say them, how long the oldest
// waiting record has waited, and the order of a record's details. Run by tests/test_field.py with Node's own
// test runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { detailFields, formatSize, waitedFor } from '../../static/js/records.js';

const WORDS = { kilobytes: '%(size)s KB', megabytes: '%(size)s MB' };
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

test('a photo of 11 KB says 11 KB, not 0 MB; above a megabyte, megabytes with one decimal', () => {
  assert.equal(formatSize(11 * 1024 + 300, 'id', WORDS), '11 KB');
  assert.equal(formatSize(200, 'id', WORDS), '1 KB');
  assert.equal(formatSize(1023 * 1024, 'en', WORDS), '1,023 KB');
  assert.equal(formatSize(1.5 * 1024 * 1024, 'id', WORDS), '1,5 MB');
  assert.equal(formatSize(1.5 * 1024 * 1024, 'en', WORDS), '1.5 MB');
  assert.equal(formatSize(1024 * 1024, 'en', WORDS), '1.0 MB');
});

test('the oldest waiting record is said to wait minutes under an hour, never "0 hours"', () => {
  assert.deepEqual(waitedFor(20 * 1000), { key: 'oldestNow', num: 0 });
  assert.deepEqual(waitedFor(MINUTE), { key: 'oldestMinutes', num: 1 });
  assert.deepEqual(waitedFor(59 * MINUTE + 59000), { key: 'oldestMinutes', num: 59 });
  assert.deepEqual(waitedFor(HOUR), { key: 'oldest', num: 1 });
  assert.deepEqual(waitedFor(23 * HOUR + 59 * MINUTE), { key: 'oldest', num: 23 });
  assert.deepEqual(waitedFor(25 * HOUR), { key: 'oldestWarn', num: 25 });
});

test("a record's details follow its type's order, then a field only the server's errors name", () => {
  const warning = { order: ['village', 'urgency', 'occurred_at', 'category', 'description'] };
  assert.deepEqual(detailFields(warning), warning.order);
  assert.deepEqual(detailFields(warning, { category: ['x'], data: ['y'] }), [...warning.order, 'data']);
  assert.deepEqual(detailFields({}, {}), []);
});
