/**
 * DynamoDB number normalization (spec: dynamodb-encryption-client/ddb-attribute-serialization.md,
 * "Number": "normalized in the same way as DynamoDB normalizes numbers"). DynamoDB keeps at most 38
 * significant digits, magnitudes from 1e-130 to below 1e126, and returns numbers without leading or
 * trailing zeros, without an exponent and without a plus sign: `"00.0011"` is stored as `"0.0011"`,
 * `"2000.000"` as `"2000"`, `"-0"` as `"0"`, `"1.5e3"` as `"1500"`. The serialized bytes of a signed
 * number attribute are those of the normalized string, so every writer must agree on it exactly.
 */
import { ItemErrorCode, itemError } from './errors.js';

const MAX_DIGITS = 38;
const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * The DynamoDB-normalized form of a number string; throws INVALID_ATTRIBUTE_VALUE for strings that
 * are not numbers or are out of DynamoDB's range.
 *
 * @example
 * ```ts
 * normalizeNumber('00.0011'); // '0.0011'
 * normalizeNumber('1.50e2');  // '150'
 * ```
 */
export function normalizeNumber(text: string, where = 'a number'): string {
  const match = typeof text === 'string' ? NUMBER.exec(text) : null;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match ?? [];
  if (!match || whole.length + fraction.length === 0) {
    throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where} is not a DynamoDB number`);
  }
  // digits with the decimal point after `point` digits (point may lie outside the digits)
  let digits = whole + fraction;
  let point = whole.length + Number(exponent);
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead);
  point -= lead;
  digits = digits.replace(/0+$/, '');
  if (digits.length === 0) return '0';
  if (digits.length > MAX_DIGITS) {
    throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where} has more than 38 significant digits`);
  }
  // the magnitude is 10^(point - 1) for the leading digit
  if (point - 1 < -130 || point - 1 > 125) {
    throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where} is outside DynamoDB's range (1E-130 to 9.9E125)`);
  }
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign === '-' ? `-${out}` : out;
}
