// The config's `trending` section: defaults 7 and 2 days; each bad value fails parseModelConfig naming the field
// (trending.windowDays, trending.halfLifeDays), its rule and the value; an unknown key is refused.
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../functions/engine/model-config.js';
import { userInputErrorOf } from '../support/user-input-error.js';

describe('config trending', () => {
  it('defaults to a 7-day window with a 2-day half-life, and takes other values', () => {
    expect(parseModelConfig({}).trending).toEqual({ windowDays: 7, halfLifeDays: 2 });
    expect(parseModelConfig({ trending: { windowDays: 30 } }).trending).toEqual({ windowDays: 30, halfLifeDays: 2 });
    expect(parseModelConfig({ trending: { windowDays: 0.5, halfLifeDays: 0.25 } }).trending).toEqual({
      windowDays: 0.5,
      halfLifeDays: 0.25,
    });
  });

  it.each([
    [{ trending: { windowDays: 0 } }, 'trending.windowDays: must be a number of days > 0, at most 3650 (got 0)'],
    [{ trending: { windowDays: 'week' } }, 'trending.windowDays: must be a number of days > 0'],
    [{ trending: { halfLifeDays: -1 } }, 'trending.halfLifeDays: must be a number of days > 0, at most 3650 (got -1)'],
    [{ trending: { halfLifeDays: 1e9 } }, 'trending.halfLifeDays: must be a number of days > 0, at most 3650'],
  ])('refuses %j naming the field', (config, expected) => {
    const error = userInputErrorOf(() => parseModelConfig(config, 'uploads/d/config.json'));
    expect(error.where).toBe('uploads/d/config.json');
    expect(error.message).toContain(expected);
  });

  it('refuses an unknown key in trending', () => {
    const error = userInputErrorOf(() => parseModelConfig({ trending: { window: 3 } }));
    expect(error.message).toContain('trending');
    expect(error.message).toContain('window');
  });
});
