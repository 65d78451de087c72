/// <reference lib="dom" />
/**
 * The privacy and events actions: erase a user (DELETE …/users/{u}), take an item down (DELETE …/items/{i}),
 * each confirmed in a dialog; the API's erasure record is shown after.
 */
import { useState } from 'preact/hooks';
import { apiSend, datasetPath } from '../api.js';
import { Dialog, DialogButtons, ErrorText } from './dialog.js';

interface ErasureRecord {
  kind: 'user' | 'item';
  status: 'pending' | 'completed';
  requestedAt: string;
  completedAt?: string;
  deleted: { version: string; rows: number }[];
  note: string;
}

const ACTIONS = {
  user: {
    open: 'Erase a user…',
    title: 'Erase a user',
    label: 'User id',
    confirm: 'Erase user',
    path: 'users',
    explain:
      "The user's rows are deleted from every stored version now, no answer names them from now on, and every later " +
      'build leaves their lines out of the uploaded files; the record is kept under a keyed hash, never the id.',
  },
  item: {
    open: 'Take an item down…',
    title: 'Take an item down',
    label: 'Item id',
    confirm: 'Take item down',
    path: 'items',
    explain:
      'The item leaves every recommendation, similar-items list and popularity answer of every stored version now, ' +
      'and every later build leaves it out of the data.',
  },
} as const;

function ActionDialog({ dataset, kind }: { dataset: string; kind: 'user' | 'item' }) {
  const action = ACTIONS[kind];
  const [open, setOpen] = useState(false);
  const [id, setId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [record, setRecord] = useState<ErasureRecord>();
  const inputId = `action-${kind}-id`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = id.trim();
    if (trimmed === '') return setError(`Enter the ${action.label.toLowerCase()}.`);
    setBusy(true);
    setError(undefined);
    try {
      setRecord(
        await apiSend<ErasureRecord>('DELETE', datasetPath(dataset, `/${action.path}/${encodeURIComponent(trimmed)}`)),
      );
      setOpen(false);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="action">
      <button type="button" onClick={() => (setRecord(undefined), setError(undefined), setOpen(true))}>
        {action.open}
      </button>
      {record && (
        <p role="status">
          {kind === 'user' ? 'Erasure' : 'Takedown'} {record.status}
          {record.completedAt ? ` at ${record.completedAt}` : ''}:{' '}
          {record.deleted.map((d) => `${d.rows} rows in ${d.version}`).join(', ') || 'no stored rows'}. {record.note}
        </p>
      )}
      <Dialog open={open} title={action.title} onClose={() => setOpen(false)}>
        <form onSubmit={submit}>
          <p>{action.explain}</p>
          <label for={inputId}>{action.label}</label>
          <input id={inputId} value={id} onInput={(e) => setId(e.currentTarget.value)} autocomplete="off" required />
          <ErrorText error={error} />
          <DialogButtons confirm={action.confirm} disabled={busy} danger onCancel={() => setOpen(false)} />
        </form>
      </Dialog>
    </div>
  );
}

export function Actions({ dataset }: { dataset: string }) {
  return (
    <section aria-labelledby="actions">
      <h2 id="actions">Privacy and takedown</h2>
      <div class="actions">
        <ActionDialog dataset={dataset} kind="user" />
        <ActionDialog dataset={dataset} kind="item" />
      </div>
    </section>
  );
}
