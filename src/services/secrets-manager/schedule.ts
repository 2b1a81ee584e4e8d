/**
 * Rotation schedules (user guide, "Rotation schedules"; API reference, RotationRulesType):
 * `AutomaticallyAfterDays` (1-1000), or `ScheduleExpression` as `rate(N days)` / `rate(N hours)`
 * (at least every 4 hours, at most every 1000 days) or `cron(minutes hours day-of-month month
 * day-of-week year)`, never both; `Duration` (`1h`-`24h`) is the rotation window. The next
 * rotation is computed from the last one (or from when rotation was configured) by the injected
 * clock; `services.tick()` runs the rotations that are due.
 */
import { SecretsManagerServiceException } from '../errors.js';
import type { RotationRulesType } from './types.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const invalid = (message: string) => new SecretsManagerServiceException('InvalidParameterException', message);

/** Checks rotation rules as RotateSecret does; returns them as stored. */
export function checkRules(rules: unknown): RotationRulesType {
  if (rules === null || typeof rules !== 'object' || Array.isArray(rules)) throw invalid('RotationRules must be an object.');
  const { AutomaticallyAfterDays: days, Duration: duration, ScheduleExpression: expression } = rules as Record<string, unknown>;
  if (days !== undefined && expression !== undefined) throw invalid('You can specify either AutomaticallyAfterDays or ScheduleExpression in RotationRules, not both.');
  if (days === undefined && expression === undefined) throw invalid('RotationRules needs AutomaticallyAfterDays or ScheduleExpression.');
  const out: RotationRulesType = {};
  if (days !== undefined) {
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 1000) throw invalid('AutomaticallyAfterDays must be an integer from 1 to 1000.');
    out.AutomaticallyAfterDays = days;
  }
  if (expression !== undefined) {
    if (typeof expression !== 'string') throw invalid('ScheduleExpression must be a string.');
    parseExpression(expression);
    out.ScheduleExpression = expression;
  }
  if (duration !== undefined) {
    if (typeof duration !== 'string' || !/^([1-9]|1\d|2[0-4])h$/.test(duration)) throw invalid('Duration must be from 1h to 24h, e.g. "3h".');
    out.Duration = duration;
  }
  return out;
}

type Parsed = { kind: 'rate'; ms: number } | { kind: 'cron'; fields: CronFields };

interface CronFields {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number> | undefined;
  months: Set<number>;
  weekdays: Set<number> | undefined;
  years: Set<number> | undefined;
}

function parseExpression(expression: string): Parsed {
  const rate = /^rate\((\d+) (hours?|days?)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const hours = rate[2]!.startsWith('hour');
    if (hours ? n < 4 || n > 24_000 : n < 1 || n > 1000) throw invalid(`${expression}: a rotation rate must be from 4 hours to 1000 days.`);
    return { kind: 'rate', ms: n * (hours ? HOUR_MS : DAY_MS) };
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) throw invalid(`ScheduleExpression must be rate(N days), rate(N hours) or cron(...); got ${JSON.stringify(expression)}.`);
  const parts = cron[1]!.trim().split(/\s+/);
  if (parts.length !== 6) throw invalid(`${expression}: a cron expression has six fields: minutes hours day-of-month month day-of-week year.`);
  const [min, hour, dom, mon, dow, year] = parts as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) throw invalid(`${expression}: exactly one of day-of-month and day-of-week must be "?".`);
  return {
    kind: 'cron',
    fields: {
      minutes: field(min, 0, 59, expression),
      hours: field(hour, 0, 23, expression),
      days: dom === '?' ? undefined : field(dom, 1, 31, expression),
      months: field(mon, 1, 12, expression, ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']),
      weekdays: dow === '?' ? undefined : field(dow, 1, 7, expression, ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']),
      years: year === '*' ? undefined : field(year, 1970, 2199, expression),
    },
  };
}

/** One cron field: `*`, numbers, names, `a-b` ranges, `/step`, comma lists. */
function field(text: string, min: number, max: number, expression: string, names?: readonly string[]): Set<number> {
  const values = new Set<number>();
  const value = (t: string) => {
    const named = names?.indexOf(t.toUpperCase()) ?? -1;
    const n = named >= 0 ? named + min : Number(t);
    if (!Number.isInteger(n) || n < min || n > max) throw invalid(`${expression}: ${JSON.stringify(t)} is not a value from ${min} to ${max}.`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : value(stepText);
    let [from, to] = [min, max];
    if (range !== '*') {
      const [a, b] = range.split('-');
      from = value(a!);
      to = b === undefined ? (stepText === undefined ? from : max) : value(b);
    }
    if (step < 1 || from > to) throw invalid(`${expression}: ${JSON.stringify(part)} is not a valid cron field.`);
    for (let n = from; n <= to; n += step) values.add(n);
  }
  return values;
}

/** The first cron match strictly after `after`, searching up to five years ahead; undefined if none. */
function nextCron(fields: CronFields, after: number): number | undefined {
  const start = new Date(after - (after % 60_000) + 60_000);
  const limit = after + 5 * 366 * DAY_MS;
  for (let day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()); day < limit; day += DAY_MS) {
    const d = new Date(day);
    if (fields.years && !fields.years.has(d.getUTCFullYear())) continue;
    if (!fields.months.has(d.getUTCMonth() + 1)) continue;
    if (fields.days && !fields.days.has(d.getUTCDate())) continue;
    if (fields.weekdays && !fields.weekdays.has(d.getUTCDay() + 1)) continue;
    for (const h of [...fields.hours].sort((a, b) => a - b)) {
      for (const m of [...fields.minutes].sort((a, b) => a - b)) {
        const t = day + h * HOUR_MS + m * 60_000;
        if (t > after) return t;
      }
    }
  }
  return undefined;
}

/** When the next rotation is due, counting from `from` (the last rotation, or when rotation was configured). */
export function nextRotationDate(rules: RotationRulesType, from: number): number | undefined {
  if (rules.AutomaticallyAfterDays !== undefined) return from + rules.AutomaticallyAfterDays * DAY_MS;
  if (rules.ScheduleExpression === undefined) return undefined;
  const parsed = parseExpression(rules.ScheduleExpression);
  return parsed.kind === 'rate' ? from + parsed.ms : nextCron(parsed.fields, from);
}
