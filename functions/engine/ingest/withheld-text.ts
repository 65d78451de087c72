/**
 * Input text withheld from messages: while a pseudonymised dataset (`pseudonymizeUsers`) is parsed, every place
 * that would quote a file's content (a field, a line, a header, a JSON parser's message about it) shows
 * {@link WITHHELD} instead, so no raw user id reaches a rejection example, a warning, an error, a report or a log.
 * Line numbers, reasons and counts stay.
 *
 * One switch for the whole parse (an AsyncLocalStorage around it), read where text is quoted (values.ts `show`
 * and {@link inputText}), so a quote added later is covered without passing a flag down to it.
 *
 * Safety property (test/engine/ingest-pseudonymize.test.ts): a parse with the switch on produces no message,
 * example or warning that holds text of its input lines, for every rejection reason and every fatal error quoting
 * a line; with it off, messages are as before.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export const WITHHELD = '<withheld>';

const withholding = new AsyncLocalStorage<boolean>();

/**
 * Runs `parse` with input text withheld from its messages when `withhold` is true. Set either way, so a parse never
 * inherits another's setting through an async resource created inside it (a socket, a timer).
 */
export function withInputTextWithheld<T>(withhold: boolean, parse: () => Promise<T>): Promise<T> {
  return withholding.run(withhold, parse);
}

export function inputTextWithheld(): boolean {
  return withholding.getStore() === true;
}

/** `text` (taken from the input, or a message quoting it) as a message may show it. */
export function inputText(text: string): string {
  return inputTextWithheld() ? WITHHELD : text;
}
