import { describe, expect, it } from 'vitest';
import { RollbackBody } from '../../functions/api/schemas.js';
import { rollbackBody, rollbackChoices } from '../../functions/console/rollback.js';

describe('rollback choices', () => {
  it('offers every kept version except the active one, newest first, whatever the input order', () => {
    const choices = rollbackChoices([
      { version: 'v1', active: false, createdAt: '2026-01-01T10:00:00.000Z' },
      { version: 'v3', active: true, createdAt: '2026-01-03T10:00:00.000Z' },
      { version: 'v4', active: false, createdAt: '2026-01-04T09:30:00.000Z', model: { label: 'ease (λ 250)' } },
      { version: 'v2', active: false, createdAt: '2026-01-02T10:00:00.000Z' },
    ]);
    expect(choices).toEqual([
      { version: 'v4', label: 'v4 (built 2026-01-04 09:30, ease (λ 250))' },
      { version: 'v2', label: 'v2 (built 2026-01-02 10:00)' },
      { version: 'v1', label: 'v1 (built 2026-01-01 10:00)' },
    ]);
    expect(rollbackChoices([{ version: 'v1', active: true, createdAt: '2026-01-01T00:00:00.000Z' }])).toEqual([]);
  });

  it('sends the body the rollback route accepts: { version }', () => {
    const body = rollbackBody('v2');
    expect(body).toEqual({ version: 'v2' });
    expect(RollbackBody.safeParse(body).success).toBe(true);
  });
});
