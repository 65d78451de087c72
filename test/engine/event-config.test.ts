// The config fields of typed events and decay: each bad value fails parseModelConfig naming the field, its rule and
// the value; defaultEventWeight and input.columns.type mean nothing without eventWeights and say so.
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../functions/engine/model-config.js';
import { UserInputError } from '../../functions/engine/types.js';

function message(config: unknown): string {
  try {
    parseModelConfig(config, 'uploads/d/config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).where).toBe('uploads/d/config.json');
    return (error as UserInputError).message;
  }
  throw new Error('expected a UserInputError');
}

describe('eventWeights, defaultEventWeight, halfLifeDays', () => {
  it('accepts weights from -1000 to 1000 (0 and negatives included) and a positive half-life', () => {
    const config = parseModelConfig({
      eventWeights: { view: 1, skip: 0, dislike: -1000, purchase: 1000 },
      defaultEventWeight: 0.5,
      halfLifeDays: 0.25,
    });
    expect(config).toMatchObject({
      eventWeights: { view: 1, skip: 0, dislike: -1000, purchase: 1000 },
      defaultEventWeight: 0.5,
      halfLifeDays: 0.25,
    });
    expect(parseModelConfig({})).not.toHaveProperty('eventWeights');
  });

  it.each([
    [{ eventWeights: { view: 'x' } }, 'eventWeights.view: must be a finite number from -1000 to 1000', '(got "x")'],
    [{ eventWeights: { like: 2000 } }, 'eventWeights.like: must be a finite number from -1000 to 1000', '(got 2000)'],
    [{ eventWeights: [1] }, 'eventWeights: must be an object mapping event types to weights', '(got [1])'],
    [{ eventWeights: 3 }, 'eventWeights: must be an object mapping event types to weights', '(got 3)'],
    [{ eventWeights: {}, defaultEventWeight: -1e4 }, 'defaultEventWeight: must be a finite number', '(got -10000)'],
    [{ halfLifeDays: 0 }, 'halfLifeDays: must be a number of days > 0, at most 36500', '(got 0)'],
    [{ halfLifeDays: -3 }, 'halfLifeDays: must be a number of days > 0', '(got -3)'],
    [{ halfLifeDays: '7' }, 'halfLifeDays: must be a number of days > 0', '(got "7")'],
    [{ halfLifeDays: 1e6 }, 'halfLifeDays: must be a number of days > 0, at most 36500', '(got 1000000)'],
  ])('rejects %j naming the field', (config, rule, got) => {
    const text = message(config);
    expect(text).toContain(rule);
    expect(text).toContain(got);
  });

  it('rejects defaultEventWeight or input.columns.type without eventWeights', () => {
    expect(message({ defaultEventWeight: 2 })).toBe(
      'invalid model configuration: defaultEventWeight: is read only together with eventWeights (eventWeights is not set)',
    );
    expect(message({ input: { columns: { type: 'event' } } })).toContain('input.columns.type: is read only together');
    expect(parseModelConfig({ eventWeights: {}, input: { columns: { type: 3 } } }).input.columns?.type).toBe(3);
  });
});
