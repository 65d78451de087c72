import { expect } from 'vitest';
import { UserInputError } from '../../functions/engine/types.js';

/** The UserInputError `run` throws; fails the test when it throws anything else, or nothing. */
export function userInputErrorOf(run: () => unknown): UserInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return error as UserInputError;
  }
  throw new Error('expected a UserInputError');
}
