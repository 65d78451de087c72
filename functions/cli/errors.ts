/** Turns user mistakes into a short message and exit code 2; anything else is a bug and keeps its stack. */
import { UserInputError } from '../engine/types.js';

export function reportError(error: unknown): number {
  if (error instanceof UserInputError) {
    process.stderr.write(`error: ${error.message}\n`);
    if (error.where) process.stderr.write(`  where: ${error.where}\n`);
    if (error.hint) process.stderr.write(`  fix:   ${error.hint}\n`);
    return 2;
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNREFUSED') {
    process.stderr.write(
      `error: ${(error as Error).message}\n  fix:   is the local stack running? Start it with: npm start\n`,
    );
    return 2;
  }
  process.stderr.write(`internal error (please report): ${(error as Error)?.stack ?? String(error)}\n`);
  return 1;
}

/** Wraps a commander action so every failure goes through reportError. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}
