// How the phone's transport (static/js/api.js) sorts the server's answers to a push, and renews a stale CSRF
// token once, against a fetch that answers as the server would. Run by tests/test_field.py under Node.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

import { session, wireRecord } from '../../static/js/api.js';

const realFetch = globalThis.fetch;
afterEach(() => { globalThis.fetch = realFetch; });

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

// Answers each request with the next of `answers` (a Response, or an Error to throw), and keeps what was asked.
function serve(...answers) {
  const asked = [];
  globalThis.fetch = async (url, init = {}) => {
    asked.push({ url, token: (init.headers || {})['X-CSRFToken'], body: init.body && JSON.parse(init.body) });
    const answer = answers.shift();
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return asked;
}

const RECORD = { id: 'a', type: 'visit', data: { purpose: 'x' }, updated_at: '2026-12-01T09:00:00Z', tries: 2, officer: 'ani' };

test('a record goes on the wire with its id, type, data and version only; a voided one says so', () => {
  assert.deepEqual(wireRecord(RECORD), { id: 'a', type: 'visit', data: { purpose: 'x' }, updated_at: RECORD.updated_at });
  assert.equal(wireRecord({ ...RECORD, voided: true }).voided, true);
});

test('each answer to a push is sorted into what the queue does next', async () => {
  const cases = [
    [json(200, { results: [{ id: 'a', status: 'accepted' }] }), { kind: 'ok', results: [{ id: 'a', status: 'accepted' }] }],
    [new TypeError('Failed to fetch'), { kind: 'failed', error: { status: null, message: null } }],
    [json(401, { error: 'login' }), { kind: 'login' }],
    [json(413, { message: 'at most 100' }), { kind: 'too_large', error: { status: 413, message: 'at most 100' } }],
    [json(400, { message: 'bad body' }), { kind: 'failed', error: { status: 400, message: 'bad body' } }],
    [new Response('gateway', { status: 502 }), { kind: 'failed', error: { status: 502, message: null } }],
    [json(409, { message: 'no' }), { kind: 'refused', error: { status: 409, message: 'no' } }],
  ];
  for (const [response, expected] of cases) {
    const asked = serve(response);
    assert.deepEqual(await session('t1').push([RECORD], 'device', 3), expected);
    assert.deepEqual(asked[0].body, { device_id: 'device', pending: 3, records: [wireRecord(RECORD)] });
  }
});

test('a stale token is renewed once from /api/v1/me and the push sent again with it', async () => {
  const asked = serve(json(400, { error: 'csrf' }), json(200, { csrf_token: 't2' }), json(200, { results: [] }));
  const connection = session('t1');
  assert.deepEqual(await connection.push([RECORD], 'device', 0), { kind: 'ok', results: [] });
  assert.deepEqual(asked.map(({ url, token }) => [url, token]), [['/api/v1/sync', 't1'], ['/api/v1/me', undefined], ['/api/v1/sync', 't2']]);
  assert.equal(connection.token, 't2');
  serve(json(403, { error: 'csrf' }));
  assert.deepEqual(await connection.push([], 'device', 0), { kind: 'csrf' });
});

test('a renewal the server refuses is a session ended; one with no answer is a push with no answer', async () => {
  serve(json(403, { error: 'csrf' }), json(401, {}));
  assert.deepEqual(await session('t1').push([], 'device', 0), { kind: 'login' });
  serve(json(403, { error: 'csrf' }), new TypeError('Failed to fetch'));
  assert.deepEqual(await session('t1').push([], 'device', 0), { kind: 'failed', error: { status: null, message: null } });
});
