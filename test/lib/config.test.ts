import { describe, expect, it } from 'vitest';
import {
  booleanField,
  durationField,
  listField,
  numberField,
  oneOfField,
  optional,
  parseDuration,
  readConfig,
  stringField,
  urlField,
} from '../../lib/config.ts';
import { ScenarioError } from '../../lib/errors.ts';

describe('parseDuration', () => {
  it.each([
    // k6 (Go time.ParseDuration + days) spellings
    ['30s', 30],
    ['5m', 300],
    ['1h30m', 5400],
    ['1m30s', 90],
    ['250ms', 0.25],
    ['1.5s', 1.5],
    ['.5s', 0.5],
    ['2d', 172800],
    ['1h0m0s', 3600],
    ['0s', 0],
    ['100us', 0.0001],
    ['100µs', 0.0001],
    ['10ns', 1e-8],
    ['0.1s0.2s', 0.3],
  ])('%s is %d s', (raw, seconds) => {
    expect(parseDuration(raw)).toEqual({ text: raw, seconds });
  });

  it.each(['', '30', '5x', 's', '1h 30m', '-5s', '1.s', 'abc', '30S'])('refuses `%s`', (raw) => {
    expect(parseDuration(raw)).toBeUndefined();
  });
});

describe('fields', () => {
  // --- numbers
  it.each([
    [numberField(), '42', 42],
    [numberField(), '-1.5', -1.5],
    [numberField(), '1e3', 1000],
    [numberField({ min: 0, exclusiveMin: true }), '0.25', 0.25],
    [numberField({ integer: true }), '7', 7],
    [numberField({ min: 0, max: 1 }), '1', 1],
  ])('number parses %#', (field, raw, value) => {
    expect(field.parse(raw)).toBe(value);
  });

  it.each([
    [numberField(), 'abc'],
    [numberField(), '0x10'],
    [numberField(), 'Infinity'],
    [numberField(), '12abc'],
    [numberField(), '1e999'],
    [numberField({ min: 0, exclusiveMin: true }), '0'],
    [numberField({ integer: true }), '1.5'],
    [numberField({ min: 0, max: 1 }), '1.01'],
  ])('number refuses %#', (field, raw) => {
    expect(field.parse(raw)).toBeUndefined();
  });

  it('describes number bounds in words', () => {
    expect(numberField({ min: 0, exclusiveMin: true }).expected).toBe('a number > 0');
    expect(numberField({ min: 1, integer: true }).expected).toBe('an integer >= 1');
    expect(numberField({ min: 0, max: 1 }).expected).toBe('a number >= 0 and <= 1');
  });

  // --- urls
  it.each([
    ['http://127.0.0.1:18080', 'http://127.0.0.1:18080'],
    ['https://api.example.com/', 'https://api.example.com'],
    ['http://svc.ns.svc.cluster.local:8080/v1', 'http://svc.ns.svc.cluster.local:8080/v1'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
  ])('url %s', (raw, value) => {
    expect(urlField().parse(raw)).toBe(value);
  });

  it.each(['notaurl', 'ftp://host', 'http://', 'http://host:99999', 'http://user:pw@host', 'http://host/?q=1', '127.0.0.1:8080'])(
    'url refuses %s',
    (raw) => {
      expect(urlField().parse(raw)).toBeUndefined();
    },
  );

  // --- enums, booleans, lists, strings
  it('oneOf accepts listed values only', () => {
    const field = oneOfField(['constant', 'ramp']);
    expect(field.parse('ramp')).toBe('ramp');
    expect(field.parse('Ramp')).toBeUndefined();
    expect(field.expected).toBe('one of `constant`, `ramp`');
  });

  it.each([
    ['true', true], ['1', true], ['YES', true], ['on', true],
    ['false', false], ['0', false], ['no', false], ['off', false],
  ])('boolean %s', (raw, value) => {
    expect(booleanField().parse(raw)).toBe(value);
  });

  it('boolean refuses other words', () => {
    expect(booleanField().parse('maybe')).toBeUndefined();
  });

  it('list parses every item and refuses empty ones', () => {
    const field = listField(numberField({ min: 0 }));
    expect(field.parse('10, 25,50')).toEqual([10, 25, 50]);
    expect(field.parse('10,,50')).toBeUndefined();
    expect(field.parse('10,x')).toBeUndefined();
    expect(field.expected).toBe('a comma-separated list of a number >= 0');
  });

  it('string with a pattern', () => {
    const field = stringField({ pattern: /^[a-z]+$/, expected: 'lowercase letters' });
    expect(field.parse('abc')).toBe('abc');
    expect(field.parse('ABC')).toBeUndefined();
  });
});

describe('readConfig', () => {
  const schema = {
    TPS: numberField({ min: 0, exclusiveMin: true, fallback: '10' }),
    DURATION: durationField({ fallback: '1m' }),
    BASE_URL: urlField({ fallback: 'http://127.0.0.1:18080' }),
    TOKEN: optional(stringField()),
    NAME: stringField(),
  };

  it('applies defaults through the same parser as user input', () => {
    const env = Object.freeze({ NAME: 'x' });
    expect(readConfig(env, schema)).toEqual({
      TPS: 10,
      DURATION: { text: '1m', seconds: 60 },
      BASE_URL: 'http://127.0.0.1:18080',
      TOKEN: undefined,
      NAME: 'x',
    });
  });

  it('treats an empty or blank value as unset and trims values', () => {
    const config = readConfig({ NAME: 'x', TPS: '', DURATION: '  ', BASE_URL: ' http://h:1 ' }, schema);
    expect(config.TPS).toBe(10);
    expect(config.DURATION.seconds).toBe(60);
    expect(config.BASE_URL).toBe('http://h:1');
  });

  it('lists every problem in one error, naming the variable, the value and what was expected', () => {
    const run = (): unknown => readConfig({ TPS: 'abc', DURATION: '5x', BASE_URL: 'notaurl' }, schema);
    expect(run).toThrow(ScenarioError);
    expect(run).toThrow(
      [
        'config: `TPS` is `abc`: expected a number > 0',
        'config: `DURATION` is `5x`: expected a k6 duration such as `30s`, `5m` or `1h30m` (more than zero)',
        'config: `BASE_URL` is `notaurl`: expected an http:// or https:// URL such as `http://127.0.0.1:18080`',
        'config: `NAME` is not set: expected a non-empty string',
      ].join('\n'),
    );
  });

  it('gives the error a stable code', () => {
    try {
      readConfig({ TPS: '-1', NAME: 'x' }, schema);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      expect((error as ScenarioError).code).toBe('config');
      expect((error as ScenarioError).message).toBe('config: `TPS` is `-1`: expected a number > 0');
    }
  });
});
