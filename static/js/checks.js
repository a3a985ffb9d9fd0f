// Checks a record on the phone before it is saved, with the rules the server applies: the data of each record
// type's `rules` (outreach/records.py, RecordType.rules, from the same WTForms form the server validates with).
// No rule is written here by hand; this file only knows how WTForms reads a value and runs its validators,
// and the kinds of cross-field check the program declares. What only the server can know (a village still
// assigned, a material in the catalogue) stays with the server.

// Python's str.strip(): its whitespace is not JavaScript's (it has U+001C-U+001F and U+0085, not U+FEFF), and a
// field that is only such characters must be empty on the phone as on the server.
const PY_SPACE = '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_EDGES = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');

function strip(text) {
  return text.replace(PY_EDGES, '');
}

// A number as Python's float() reads one (underscores between digits allowed); null when it is not one or not
// finite (inf, nan, 1e400), as the server's `_finite`.
const PY_FLOAT = /^[+-]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?$/;

function pyFloat(text) {
  const trimmed = strip(String(text));
  if (!PY_FLOAT.test(trimmed)) return null;
  const number = Number(trimmed.replace(/_/g, ''));
  return Number.isFinite(number) ? number : null;
}

// The id of a record made on a phone, as Python's uuid.UUID reads one (braces, hyphens anywhere, urn:uuid:).
function isId(text) {
  if (text.length > 64) return false;
  const hex = text.replaceAll('urn:', '').replaceAll('uuid:', '').replace(/^[{}]+|[{}]+$/g, '').replaceAll('-', '');
  return /^[0-9a-fA-F]{32}$/.test(hex);
}

// Python's datetime.fromisoformat as far as a person or a phone writes a moment: any one character between the
// date and the time, a fraction of any length, an offset with or without its colon.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[\s\S](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?)?$/;

// A moment in ISO 8601 as milliseconds since 1970, read as the server reads one (a time without an offset is
// in the program's time zone, `zone_minutes` east of UTC); null when it is not one.
function isoMoment(text, zoneMinutes) {
  const match = ISO.exec(strip(text));
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', offset] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  const moment = new Date(0);
  moment.setUTCFullYear(year, month - 1, day);
  moment.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  if (year < 1 || moment.getUTCFullYear() !== year || moment.getUTCMonth() !== month - 1
    || moment.getUTCDate() !== day || moment.getUTCHours() !== hour || moment.getUTCMinutes() !== minute
    || moment.getUTCSeconds() !== second) return null;
  let east = zoneMinutes;
  if (offset === 'Z') east = 0;
  else if (offset) {
    const [hours, minutes = 0, seconds = 0] = offset.slice(1).match(/\d{2}/g).map(Number);
    east = (offset[0] === '-' ? -1 : 1) * (hours * 60 + minutes + seconds / 60);
    if (minutes > 59 || seconds > 59 || Math.abs(east) >= 24 * 60) return null;
  }
  return moment.getTime() - east * 60 * 1000;
}

// Python's truth of a field's data: empty text, 0, an empty list and nothing are false.
function truthy(value) {
  return !(value === null || value === undefined || value === '' || value === 0 || (Array.isArray(value) && !value.length));
}

function format(message, params) {
  return message.replace(/%\((\w+)\)[sd]/g, (_match, name) => String(params[name]));
}

// A field's wire value as the server's form data holds it (RecordType.formdata): a list of texts.
function rawValues(value, isList) {
  if (isList) {
    if (!Array.isArray(value)) return [];
    return value.filter((v) => typeof v === 'string' || typeof v === 'boolean' || Number.isInteger(v))
      .map((v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)));
  }
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return [String(value)];
  return [];
}

// The field's data and the errors of reading it, as the field's class does in process_formdata.
function read(rule, raw) {
  const given = raw.length > 0 && strip(raw[0]) !== '';
  switch (rule.kind) {
    case 'number': {
      if (!given) return { data: null, errors: [] };
      const number = pyFloat(raw[0]);
      return number === null ? { data: null, errors: [rule.invalid] } : { data: number, errors: [] };
    }
    case 'count': {
      if (!given) return { data: 0, errors: [] };
      const number = pyFloat(raw[0]);
      return number === null || !Number.isInteger(number) ? { data: 0, errors: [rule.invalid] } : { data: number, errors: [] };
    }
    case 'datetime': {
      if (!given) return { data: null, errors: [] };
      const moment = isoMoment(raw[0], rule.zone_minutes);
      return moment === null ? { data: null, errors: [rule.invalid] } : { data: moment, errors: [] };
    }
    case 'checklist':
      return { data: raw, errors: [] };
    default:
      return { data: raw.length ? raw[0] : null, errors: [] };
  }
}

// What a field's class checks before its validators (pre_validate).
function preValidate(rule, data, processErrors) {
  if (rule.kind === 'checklist') {
    const unknown = (data || []).find((value) => !rule.choices.includes(value));
    return unknown === undefined ? [] : [format(rule.unknown, { value: unknown })];
  }
  if (rule.kind === 'select' && rule.choices && !processErrors.length) {
    return rule.choices.includes(data) ? [] : [rule.unknown];
  }
  if (rule.kind === 'reference' && truthy(data) && !isId(data)) return [rule.invalid];
  return [];
}

// The field's errors after its validators, in WTForms' order: a validator that stops the chain clears the
// errors before it and adds its own message (none for `optional`).
function validateField(rule, value, isList) {
  const raw = rawValues(value, isList);
  const { data, errors: processErrors } = read(rule, raw);
  let errors = [...processErrors, ...preValidate(rule, data, processErrors)];
  for (const [name, ...args] of rule.validators) {
    if (name === 'optional') {
      if (!raw.length || !strip(raw[0])) return { data, errors: [] };
    } else if (name === 'data_required') {
      if (!truthy(data) || (typeof data === 'string' && !strip(data))) return { data, errors: [args[0]] };
    } else if (name === 'input_required') {
      if (!raw.length || !raw[0]) return { data, errors: [args[0]] };
    } else if (name === 'length') {
      const [min, max, message] = args;
      const length = truthy(data) ? [...data].length : 0;
      if (!(length >= min && (max === -1 || length <= max))) errors = [...errors, message];
    } else if (name === 'range') {
      const [min, max, message] = args;
      if (!(data !== null && (min === null || data >= min) && (max === null || data <= max))) errors = [...errors, message];
    } else {
      throw new Error(`Unknown validator ${name}`);
    }
  }
  return { data, errors };
}

// The field a cross-field check puts its message beside, or null when it holds.
const CHECKS = {
  at_least_one: (check, data) => (check.fields.reduce((sum, name) => sum + (data[name] || 0), 0) === 0 ? check.fields[0] : null),
  both_or_neither: (check, data) => {
    const missing = check.fields.filter((name) => data[name] === null);
    return missing.length === 1 ? missing[0] : null;
  },
  not_after_now: (check, data, now) => {
    const moment = data[check.fields[0]];
    return moment !== null && moment > now + check.ms ? check.fields[0] : null;
  },
  not_before_now: (check, data, now) => {
    const moment = data[check.fields[0]];
    return moment !== null && moment < now - check.ms ? check.fields[0] : null;
  },
};

// What is wrong with a record's `data`, by field, as the server would say it ({} when nothing is): `rules` is
// its type's RecordType.rules(); `now` the time to check moments against, in milliseconds.
export function check(data, rules, { now = Date.now() } = {}) {
  const values = {};
  const errors = {};
  for (const [name, rule] of Object.entries(rules.fields)) {
    const field = validateField(rule, data[name], rule.kind === 'checklist');
    values[name] = field.data;
    errors[name] = field.errors;
  }
  for (const rule of rules.checks) {
    const failing = CHECKS[rule.check];
    if (!failing) throw new Error(`Unknown check ${rule.check}`);
    if (rule.fields.some((name) => errors[name].length)) continue;
    const field = failing(rule, values, now);
    if (field !== null) errors[field] = [...errors[field], rule.message];
  }
  for (const [name, value] of Object.entries(data)) {
    const rule = rules.fields[name];
    if (!rule) continue;
    if (rule.kind === 'checklist' && !Array.isArray(value)) errors[name] = [rules.not_a_list];
    else if (rule.kind !== 'checklist' && (typeof value === 'boolean' || (typeof value === 'object' && value !== null))) {
      errors[name] = [rules.not_a_value];
    }
  }
  return Object.fromEntries(Object.entries(errors).filter(([, messages]) => messages.length));
}

// Show a record's errors in its form: each beside its field (the element `[data-error-for=name]`), and all of
// them in the form's summary at the top, each linking to its field; focus moves to the summary so that a
// screen reader reads it. `labels` names the fields. An error of a field the form does not show is in the
// summary only. No errors: everything is cleared.
export function showErrors(form, errors, labels) {
  for (const slot of form.querySelectorAll('[data-error-for]')) {
    slot.textContent = '';
    slot.closest('.field')?.classList.remove('has-error');
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  const summary = form.querySelector('.error-summary');
  // In the form's order (the rules' JSON is sorted by name); a field the form does not show comes last.
  const order = [...form.querySelectorAll('[data-error-for]')].map((slot) => slot.dataset.errorFor);
  const place = (name) => (order.includes(name) ? order.indexOf(name) : order.length);
  const items = [];
  for (const [name, messages] of Object.entries(errors || {}).sort(([a], [b]) => place(a) - place(b))) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    const input = form.querySelector(`[name="${CSS.escape(name)}"]:not([type=hidden])`);
    if (slot) {
      slot.textContent = messages.join(' ');
      slot.closest('.field')?.classList.add('has-error');
    }
    if (input) input.setAttribute('aria-invalid', 'true');
    const item = document.createElement('li');
    const text = `${labels[name] || name}: ${messages.join(' ')}`;
    if (input) {
      const link = document.createElement('a');
      link.href = `#${input.id}`;
      link.textContent = text;
      // The app routes on the address's hash: move to the field without changing it.
      link.addEventListener('click', (event) => {
        event.preventDefault();
        input.focus();
      });
      item.append(link);
    } else {
      item.textContent = text;
    }
    items.push(item);
  }
  summary.querySelector('ul').replaceChildren(...items);
  summary.hidden = items.length === 0;
  if (items.length) summary.focus();
}
