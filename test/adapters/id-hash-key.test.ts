import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { loadIdHashKey } from '../../functions/adapters/id-hash-key.js';
import { ensureIdHashKeyFile, ID_HASH_KEY_FILE } from '../../functions/local/id-hash-key-file.js';
import { UserInputError } from '../../functions/engine/types.js';

const KEY_BYTES = Buffer.alloc(32, 9);
const KEY = KEY_BYTES.toString('base64');

/** A Secrets Manager client mock: Secrets Manager has no local server here. */
function secretsAnswering(secretString: string | undefined, seen: string[] = []) {
  return () => ({
    send: async (command: unknown) => {
      expect(command).toBeInstanceOf(GetSecretValueCommand);
      seen.push((command as GetSecretValueCommand).input.SecretId as string);
      return { SecretString: secretString, $metadata: {} };
    },
  });
}

describe('loadIdHashKey', () => {
  it('decodes ID_HASH_KEY (standard or url-safe base64)', async () => {
    expect(Buffer.from(await loadIdHashKey({ ID_HASH_KEY: KEY }))).toEqual(KEY_BYTES);
    const urlSafe = Buffer.alloc(33, 0xfb).toString('base64url');
    expect(Buffer.from(await loadIdHashKey({ ID_HASH_KEY: urlSafe }))).toEqual(Buffer.alloc(33, 0xfb));
  });

  it('reads the secret named by ID_HASH_KEY_SECRET_ARN', async () => {
    const seen: string[] = [];
    // The stack's generated secret: 64 letters and digits, valid base64 of 48 bytes.
    const generated = 'Ab1'.repeat(21) + 'Zz';
    const key = await loadIdHashKey(
      { ID_HASH_KEY_SECRET_ARN: 'arn:aws:secretsmanager:x' },
      secretsAnswering(generated, seen),
    );
    expect(seen).toEqual(['arn:aws:secretsmanager:x']);
    expect(key.byteLength).toBe(48);
  });

  it('never falls back to a default key', async () => {
    await expect(loadIdHashKey({})).rejects.toThrow(/neither ID_HASH_KEY nor ID_HASH_KEY_SECRET_ARN/);
    await expect(loadIdHashKey({ ID_HASH_KEY: '  ' })).rejects.toBeInstanceOf(UserInputError);
  });

  it('refuses both sources at once, short keys, non-base64 keys and empty secrets', async () => {
    await expect(loadIdHashKey({ ID_HASH_KEY: KEY, ID_HASH_KEY_SECRET_ARN: 'arn' })).rejects.toThrow(/Both/);
    await expect(loadIdHashKey({ ID_HASH_KEY: Buffer.alloc(16).toString('base64') })).rejects.toThrow(/16 bytes/);
    await expect(loadIdHashKey({ ID_HASH_KEY: 'not base64!' })).rejects.toThrow(/not base64/);
    await expect(loadIdHashKey({ ID_HASH_KEY_SECRET_ARN: 'arn' }, secretsAnswering(undefined))).rejects.toThrow(
      /no string value/,
    );
  });
});

describe('ensureIdHashKeyFile (the local stack)', () => {
  it('generates a 32-byte key once, private to the user, and returns the same key afterwards', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'affinity-key-'));
    try {
      const first = await ensureIdHashKeyFile(join(dir, 'data'));
      expect(Buffer.from(first, 'base64').byteLength).toBe(32);
      expect((await stat(join(dir, 'data', ID_HASH_KEY_FILE))).mode & 0o777).toBe(0o600);
      expect(await ensureIdHashKeyFile(join(dir, 'data'))).toBe(first);
      const again = await Promise.all([ensureIdHashKeyFile(dir), ensureIdHashKeyFile(dir)]);
      expect(again[0]).toBe(again[1]);
      expect((await readFile(join(dir, ID_HASH_KEY_FILE), 'utf8')).trim()).toBe(again[0]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names a damaged key file instead of replacing it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'affinity-key-'));
    try {
      await writeFile(join(dir, ID_HASH_KEY_FILE), 'short\n');
      await expect(ensureIdHashKeyFile(dir)).rejects.toThrow(new RegExp(ID_HASH_KEY_FILE));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
