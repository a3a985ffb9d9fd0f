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
    byId.set(entry.id, { ...entry, follow_up: server ? server.follow_up : undefined });
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

// The last visit or session in each village, from everything known on the phone.
export function lastActivity(records) {
  const last = new Map();
  for (const record of records) {
    if (record.voided || (record.type !== 'visit' && record.type !== 'session')) continue;
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

// A one-line summary of a record, using the labels of its type.
export function summary(record, labels, materials = {}) {
  const data = record.data;
  const choice = (field, value) => ((labels.choices || {})[field] || {})[value] || value;
  switch (record.type) {
    case 'visit': return data.purpose || '';
    case 'session': {
      const people = ['male_under_18', 'female_under_18', 'male_adult', 'female_adult']
        .reduce((sum, name) => sum + (Number(data[name]) || 0), 0);
      return `${data.venue || ''} · ${people} 👥`;
    }
    case 'handout': return `${materials[data.material] || data.material} × ${data.quantity}`;
    case 'warning': return `${choice('urgency', data.urgency)} · ${choice('category', data.category)}`;
    default: return '';
  }
}
