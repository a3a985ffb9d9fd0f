// What the officer's records look like on screen: merging the phone's versions with the server's, states,
// summaries. No DOM and no storage here.

export const OVERDUE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

// One list of the officer's records: the phone's own version wins over the server's until it is confirmed.
export function mergeRecords(outbox, seen) {
  const byId = new Map();
  for (const change of seen) {
    if (!change.mine) continue;
    byId.set(change.id, { ...change, state: 'confirmed', errors: {} });
  }
  for (const entry of outbox) {
    const server = byId.get(entry.id);
    byId.set(entry.id, {
      ...entry,
      follow_up: server ? server.follow_up : undefined,
      sms_received_at: server ? server.sms_received_at : undefined, // the office has it by SMS (sms.js)
    });
  }
  return [...byId.values()].sort((a, b) => b.data.occurred_at.localeCompare(a.data.occurred_at));
}

export function oldestWaitingAge(outbox, now = Date.now()) {
  const waiting = outbox.filter((entry) => entry.state === 'waiting');
  if (!waiting.length) return null;
  const oldest = waiting.map((entry) => Date.parse(entry.created_at)).reduce((a, b) => Math.min(a, b));
  return now - oldest;
}

export function isOverDay(ms) {
  return ms !== null && ms > DAY_MS;
}

// The last record of a type that counts as activity in its village (a visit or a session: `counts_for_coverage`
// in `labels`, by type), from everything known on the phone.
export function lastActivity(records, labels) {
  const last = new Map();
  for (const record of records) {
    if (record.voided || !(labels[record.type] || {}).counts_for_coverage) continue;
    const when = record.data.occurred_at;
    if (!last.has(record.data.village) || last.get(record.data.village) < when) last.set(record.data.village, when);
  }
  return last;
}

export function isOverdue(lastWhen, now = Date.now()) {
  return !lastWhen || now - Date.parse(lastWhen) > OVERDUE_DAYS * DAY_MS;
}

export function isToday(iso, now = new Date()) {
  const when = new Date(iso);
  return when.getFullYear() === now.getFullYear() && when.getMonth() === now.getMonth() && when.getDate() === now.getDate();
}

// How many people a record reached: the sum of its type's `people` counts (none for most types).
export function peopleReached(record, labels) {
  return (labels.people || []).reduce((sum, name) => sum + (Number(record.data[name]) || 0), 0);
}

// A one-line summary of a record from its type's `summary` (declared in outreach/records.py, as managers see it):
// each `{field}` shows the field's choice label, its title in `titles` (by field, then code: the catalogue's
// materials) or its value; `{people}` the people it reached, in the form `plurals` (the officer's language's
// Intl.PluralRules) chooses among the label's.
export function summary(record, labels, titles = {}, plurals = new Intl.PluralRules('id')) {
  return (labels.summary || '').replace(/\{(\w+)\}/g, (_match, name) => {
    if (name === 'people') {
      const count = peopleReached(record, labels);
      const forms = labels.people_label;
      return (forms[plurals.select(count)] || forms.other).replace('%(count)s', count);
    }
    const value = record.data[name];
    const names = (labels.choices || {})[name] || titles[name] || {};
    return String(names[value] || (value ?? ''));
  });
}

const KB = 1024;
const MB = 1024 * KB;

// A size as people read it, in `lang`: whole kilobytes (at least 1) below a megabyte, megabytes with one decimal
// from there; `words` are the sentences `%(size)s KB` and `%(size)s MB` in the officer's language.
export function formatSize(bytes, lang, words) {
  if (bytes < MB) {
    const size = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }).format(Math.max(1, Math.round(bytes / KB)));
    return words.kilobytes.replace('%(size)s', size);
  }
  const size = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(bytes / MB);
  return words.megabytes.replace('%(size)s', size);
}

// How long the oldest waiting record has waited, as the key of the app's sentence for it and its number:
// under a minute, in minutes, in hours, or in hours with a warning after a day.
export function waitedFor(ms) {
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return { key: 'oldestNow', num: 0 };
  if (minutes < 60) return { key: 'oldestMinutes', num: minutes };
  return { key: isOverDay(ms) ? 'oldestWarn' : 'oldest', num: Math.floor(minutes / 60) };
}

// The fields a record's details show, in order: its type's `order` (outreach/records.py: the village, the
// fields it leads with, then the form's order), then any other field the server had something to say about.
export function detailFields(labels, errors = {}) {
  return [...new Set([...(labels.order || []), ...Object.keys(errors)])];
}
