/**
 * The rollback dialog's choices: every kept version except the active one, newest first, and the request body.
 * Pure; tested in test/console/rollback.test.ts.
 */
export interface KeptVersion {
  version: string;
  active: boolean;
  createdAt: string;
  model?: { label: string };
}

export interface RollbackChoice {
  version: string;
  label: string;
}

export function rollbackChoices(versions: readonly KeptVersion[]): RollbackChoice[] {
  return versions
    .filter((version) => !version.active)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
    .map((version) => ({
      version: version.version,
      label: `${version.version} (built ${version.createdAt.slice(0, 16).replace('T', ' ')}${version.model ? `, ${version.model.label}` : ''})`,
    }));
}

/** POST …/rollback's body (functions/api/schemas.ts RollbackBody: `{ version? }`). */
export const rollbackBody = (version: string): { version: string } => ({ version });
