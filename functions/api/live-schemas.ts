/**
 * POST /v1/datasets/{dataset}/events: its body, its answer and its route (validation and OpenAPI from the same zod
 * objects, as in ./schemas.ts). Each event is checked by the ingest's own rules (engine/ingest/live-events.ts); a
 * failure names its field as the client wrote it (`events[3].timestamp`). Policy: one invalid event refuses the
 * whole batch (nothing is stored), so a batch is either stored whole or not at all as far as validation goes
 * (test/api/live-events.test.ts "bad input": 501 events, bad timestamps, ids over 256 bytes, unknown fields).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { problem } from './route-parts.js';
import { liveIdProblem, liveTimestampProblem, liveTypeProblem, liveValueProblem } from '../engine/ingest/index.js';
import { MAX_ABS_VALUE, MAX_ID_BYTES } from '../engine/types.js';
import { MAX_BODY_BYTES } from './problems.js';
import { DatasetParams } from './schemas.js';

/** Events one request may carry. */
export const MAX_EVENTS_PER_BATCH = 500;

/** A string checked by `problem` (the ingest's rule), with zod's own message when it is not a string at all. */
const checkedText = (what: string, problem: (text: string) => string | undefined) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`) })
    .superRefine((text, ctx) => {
      const message = problem(text);
      if (message) ctx.addIssue({ code: 'custom', message });
    });

const idField = (what: string, description: string) =>
  checkedText(what, (text) => liveIdProblem(text, what)).openapi({
    description: `${description} Non-empty, at most ${MAX_ID_BYTES} UTF-8 bytes, taken exactly as sent (no trimming).`,
    maxLength: MAX_ID_BYTES,
  });

export const LiveEventBody = z
  .strictObject({
    eventId: idField(
      'eventId',
      "The client's id of the event: a retried batch counts each event once per (user, eventId). Without it the " +
        'server assigns a random id, and a retry stores the event again.',
    ).optional(),
    user: idField('user', 'User id, as in the uploaded data.'),
    item: idField('item', 'Item id, as in the uploaded data.'),
    type: z
      .string({ error: 'type must be a string' })
      .superRefine((text, ctx) => {
        const message = liveTypeProblem(text, undefined);
        if (message) ctx.addIssue({ code: 'custom', message });
      })
      .optional()
      .openapi({
        description:
          "The event type (view, play, like…), trimmed. Required when the dataset's config has eventWeights, and then " +
          'one of the types it names; without eventWeights it is stored and weighed only if a later config adds them.',
      }),
    value: z
      .number({ error: 'value must be a finite number' })
      .superRefine((value, ctx) => {
        const message = liveValueProblem(value);
        if (message) ctx.addIssue({ code: 'custom', message });
      })
      .optional()
      .openapi({
        description: `The rating, from -${MAX_ABS_VALUE} to ${MAX_ABS_VALUE}; 1 when omitted (with event types: the type's weight × value).`,
      }),
    timestamp: z
      .union([z.number(), z.string()], { error: 'timestamp must be a number or an ISO-8601 date string' })
      .superRefine((timestamp, ctx) => {
        const message = liveTimestampProblem(timestamp);
        if (message) ctx.addIssue({ code: 'custom', message });
      })
      .optional()
      .openapi({
        description:
          'When it happened, as the ingest reads timestamps: a number (kept as given: use the unit of your files, ' +
          'seconds or milliseconds) or an ISO-8601 date (read as epoch seconds). Default: the time the server received it.',
      }),
  })
  .openapi('LiveEvent');

export const LiveEventsBody = z
  .strictObject({
    events: z
      .array(LiveEventBody, {
        error: (issue) =>
          issue.input === undefined
            ? 'events is required'
            : 'events must be a list of { "user": "...", "item": "..." } objects',
      })
      .min(1, 'events must hold at least one event')
      .max(MAX_EVENTS_PER_BATCH, `at most ${MAX_EVENTS_PER_BATCH} events per request; send the rest in another request`)
      .openapi({ description: `1 to ${MAX_EVENTS_PER_BATCH} events.` }),
  })
  .openapi('LiveEventsRequest');

export const LiveEventsResponse = z
  .object({
    dataset: z.string(),
    accepted: z.number().int().openapi({ description: 'Events stored by this request.' }),
    duplicates: z.number().int().openapi({
      description: 'Events already stored (same user and eventId, by an earlier request or earlier in this batch).',
    }),
    receivedAt: z.string().openapi({ description: "The server's clock when the request arrived (ISO 8601)." }),
  })
  .openapi('LiveEventsAccepted');

export type LiveEventBodyType = z.infer<typeof LiveEventBody>;
export type LiveEventsAcceptedBody = z.infer<typeof LiveEventsResponse>;

export const liveEventsRoute = createRoute({
  method: 'post',
  path: '/v1/datasets/{dataset}/events',
  operationId: 'postEvents',
  tags: ['events'],
  summary: 'Record interactions as they happen',
  description:
    `Stores up to ${MAX_EVENTS_PER_BATCH} events and answers once every one is durably written. They count at once: ` +
    "the user's next recommendations score them with the stored history and never recommend their items; the next " +
    'build of the dataset folds them into the model (each once). Idempotent by (user, eventId). Any invalid event ' +
    `refuses the whole batch (400, \`errors\` names each field, e.g. events[3].timestamp). Bodies over ${MAX_BODY_BYTES} bytes are refused with 413.`,
  request: {
    params: DatasetParams,
    body: { required: true, content: { 'application/json': { schema: LiveEventsBody } } },
  },
  responses: {
    200: { description: 'Every event is stored.', content: { 'application/json': { schema: LiveEventsResponse } } },
    400: problem('An invalid event (the whole batch is refused); `errors` names each field.'),
    404: problem('Unknown dataset: it has no model yet (upload its data first).'),
    413: problem(`Request body larger than ${MAX_BODY_BYTES} bytes.`),
    415: problem('The body is not JSON.'),
    429: problem('The store is throttling; retry the batch with back-off (events already stored count as duplicates).'),
    500: problem('A bug; quote the requestId.'),
    503: problem('Some events could not be stored; retry the batch (events already stored count as duplicates).'),
  },
});
