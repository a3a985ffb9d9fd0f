// The SMS the phone composes for an urgent warning (static/js/sms.js), without a browser: the same text and
// code as outreach/sms.py makes, checked against vectors that tests/test_sms.py checks on the server's side.
// Run by tests/test_field.py with Node's own test runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  base32, offersSms, receivedBySms, shortId, smsHref, smsText,
} from '../../static/js/sms.js';

// The same secret and records as VECTORS in tests/test_sms.py.
const SECRET = '3f2a9c0e1b7d4e5f8a6b2c1d0e9f8a7b3f2a9c0e1b7d4e5f8a6b2c1d0e9f8a7b';
const VECTORS = [
  {
    officer: 7,
    record: {
      id: '5f0c1d7e-3a4b-4c5d-8e9f-0a1b2c3d4e5f', type: 'warning',
      data: {
        village: '15.71.01.1001', urgency: 'segera', category: 'recruiter', source: 'villager', people_count: 3,
        occurred_at: '2026-12-07T22:30:45.123+07:00',
      },
    },
    text: 'PIMPASA W 7 L4GB27R2JNGF3DU7BINSYPKOL4 15.71.01.1001 segera recruiter villager 3 2612071530 BNOSMDPIZI',
  },
  {
    officer: 1234,
    record: {
      id: '00000000-0000-4000-8000-000000000000', type: 'warning',
      data: {
        village: '15.71.01.1002', urgency: 'tinggi', category: 'non_procedural_departure',
        source: 'village_official', occurred_at: '2027-01-02T03:04:00Z',
      },
    },
    text: 'PIMPASA W 1234 AAAAAAAAABAABAAAAAAAAAAAAA 15.71.01.1002 tinggi non_procedural_departure village_official 0 2701020304 LD7EJ6J7LA',
  },
];

test('the phone composes the SMS the server verifies, character for character', async () => {
  for (const { officer, record, text } of VECTORS) {
    assert.equal(await smsText({ officer, secret: SECRET }, record), text);
    assert.ok(text.length <= 160);
  }
});

test('a record id is the base32 of its 16 bytes, 26 characters', () => {
  assert.equal(shortId('ffffffff-ffff-ffff-ffff-ffffffffffff'), `${'7'.repeat(25)}4`);
  assert.equal(base32(new TextEncoder().encode('foobar')), 'MZXW6YTBOI'); // RFC 4648's vector
});

test('another record, or another secret, gets another code', async () => {
  const { officer, record, text } = VECTORS[0];
  const other = { ...record, id: '5f0c1d7e-3a4b-4c5d-8e9f-0a1b2c3d4e60' };
  const code = (sms) => sms.split(' ').pop();
  assert.notEqual(code(await smsText({ officer, secret: SECRET }, other)), code(text));
  assert.notEqual(code(await smsText({ officer, secret: `${SECRET}0` }, record)), code(text));
});

test('the link opens the SMS app to the gateway with the text', () => {
  assert.equal(smsHref('+6281234567890', 'PIMPASA W 1 A'), 'sms:+6281234567890?body=PIMPASA%20W%201%20A');
});

test('only an urgent warning still waiting, with no connection and a gateway, is offered by SMS', () => {
  const sms = { gateway: '+6281234567890', officer: 7, secret: SECRET, urgencies: ['segera', 'tinggi'] };
  const waiting = { ...VECTORS[0].record, state: 'waiting' };
  assert.equal(offersSms(sms, waiting, false), true);
  assert.equal(offersSms(sms, waiting, true), false);
  assert.equal(offersSms({ ...sms, gateway: '' }, waiting, false), false);
  assert.equal(offersSms(null, waiting, false), false);
  assert.equal(offersSms(sms, { ...waiting, state: 'confirmed' }, false), false);
  assert.equal(offersSms(sms, { ...waiting, data: { ...waiting.data, urgency: 'biasa' } }, false), false);
  assert.equal(offersSms(sms, { ...waiting, type: 'visit' }, false), false);
});

test('"received by SMS" shows only while the phone still holds the full record', () => {
  assert.equal(receivedBySms({ state: 'waiting', sms_received_at: '2026-12-07T15:31:00Z' }), true);
  assert.equal(receivedBySms({ state: 'confirmed', sms_received_at: '2026-12-07T15:31:00Z' }), false);
  assert.equal(receivedBySms({ state: 'waiting' }), false);
});
