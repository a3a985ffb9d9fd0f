// An urgent early warning as an SMS to the office's gateway, for an officer with voice coverage but no data.
// The format, and how the server checks it, are in outreach/sms.py; the text is the same, character for
// character. `sms` is what /api/v1/me gave the phone at log-in: {gateway, officer, secret, urgencies}.
// No DOM and no storage here: tests/js/sms.test.mjs runs it under Node against vectors from outreach/sms.py.

const PREFIX = 'PIMPASA W';
// The description of a warning the server has only from its SMS (outreach/sms.py PLACEHOLDER), as another
// officer's phone may pull it: shown as a sentence, never as this marker.
export const SMS_PLACEHOLDER = '(sms)';
const CODE_LENGTH = 10;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// RFC 4648 base32 without padding.
export function base32(bytes) {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

// A record's UUID as 26 base32 characters (its 16 bytes).
export function shortId(id) {
  const hex = id.replace(/-/g, '');
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i += 1) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return base32(bytes);
}

// A moment as the SMS carries it: UTC, yyMMddHHmm.
export function smsMinute(iso) {
  const when = new Date(iso);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(when.getUTCFullYear() % 100)}${two(when.getUTCMonth() + 1)}${two(when.getUTCDate())}`
    + `${two(when.getUTCHours())}${two(when.getUTCMinutes())}`;
}

// The text the code is computed over.
export function signedText(officer, record) {
  const { data } = record;
  return [
    PREFIX, String(officer), shortId(record.id), data.village, data.urgency, data.category, data.source,
    String(Number(data.people_count) || 0), smsMinute(data.occurred_at),
  ].join(' ');
}

// The proof: HMAC-SHA256 keyed with the officer's secret, in base32, its first 10 characters.
export async function proof(secret, text) {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(text));
  return base32(new Uint8Array(mac)).slice(0, CODE_LENGTH);
}

export async function smsText(sms, record) {
  const text = signedText(sms.officer, record);
  return `${text} ${await proof(sms.secret, text)}`;
}

// The link that opens the phone's SMS app with the text, addressed to the gateway (no permission needed).
export function smsHref(gateway, text) {
  return `sms:${gateway}?body=${encodeURIComponent(text)}`;
}

// Whether a record may go by SMS now: an early warning of an urgency that notifies the office, still waiting,
// with no connection, and an office that has a gateway.
export function offersSms(sms, record, online) {
  return Boolean(sms && sms.gateway && sms.secret && !online && record.type === 'warning'
    && record.state === 'waiting' && !record.voided && (sms.urgencies || []).includes(record.data.urgency));
}

// Whether the phone should say the office has the warning by SMS: the server's copy came by SMS and the
// phone's full record has not reached it yet.
export function receivedBySms(record) {
  return Boolean(record.sms_received_at) && record.state !== 'confirmed';
}
