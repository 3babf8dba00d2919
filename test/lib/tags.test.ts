import { describe, expect, it } from 'vitest';
import { levelTag, newRunId, STANDARD_TAGS, targetOfUrl } from '../../lib/tags.ts';

describe('tags', () => {
  it('names the four standard tags', () => {
    expect(STANDARD_TAGS).toEqual(['run_id', 'target', 'scenario', 'level']);
  });

  it('builds run ids that sort by time', () => {
    expect(newRunId(new Date('2026-11-24T01:07:14.123Z'), 0)).toBe('20261124T010714Z-000000');
    expect(newRunId(new Date('2026-11-24T01:07:14.123Z'), 0.999999999)).toBe('20261124T010714Z-ffffff');
  });

  it.each([
    ['http://127.0.0.1:18080', '127.0.0.1:18080'],
    ['http://api.example.com/v1', 'api.example.com:80'],
    ['https://api.example.com', 'api.example.com:443'],
    ['http://[::1]:8080/x', '[::1]:8080'],
  ])('target of %s is %s', (url, target) => {
    expect(targetOfUrl(url)).toBe(target);
  });

  it('writes levels without float noise', () => {
    expect([levelTag(20), levelTag(2.5), levelTag(0.1 + 0.2)]).toEqual(['20', '2.5', '0.3']);
  });
});
