/**
 * What log lines must not hold, removed before they are written (a module without side effects, so the local
 * servers can import it without starting the functions' loggers).
 *
 * Safety property (test/api/pseudonymized-users.test.ts): a request path's user id never reaches a log line.
 */

/**
 * A request path (or URL) as a log line may hold it: the segment after `/users/` is a user id, which logs never
 * hold (a pseudonymised dataset's raw ids must not reach them, and a log line cannot know the dataset's option),
 * so it is replaced by `{userId}` wherever it appears. Matched routes log their template instead.
 */
export function logSafePath(path: string): string {
  return path.replace(/(\/users\/)[^/?#]*/g, '$1{userId}');
}
