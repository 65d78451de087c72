/// <reference lib="dom" />
/**
 * `#/datasets/{d}/upload`: a file dropped (or chosen) goes to uploads/<dataset>/<name> through the console's
 * upload route (the same key the CLI writes), then the page follows the build job of that object (matched by key
 * and ETag, ../upload-job.ts) until it finishes, and links to the dataset page.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, apiGet, apiRequest, datasetPath } from '../api.js';
import { isActiveJob, progressView } from '../job-status.js';
import { routeHref } from '../routes.js';
import {
  uploadJob,
  uploadName,
  uploadPath,
  uploadStatusText,
  type JobWithSource,
  type UploadKind,
  type UploadReceipt,
  type UploadStatus,
} from '../upload-job.js';

const POLL_MS = 1000;

export function UploadPage({ dataset }: { dataset: string }) {
  const [file, setFile] = useState<File>();
  const [kind, setKind] = useState<UploadKind>('interactions');
  const [status, setStatus] = useState<UploadStatus>({ step: 'idle' });
  const [dragging, setDragging] = useState(false);
  const [now, setNow] = useState(Date.now());
  const input = useRef<HTMLInputElement>(null);
  const name = file ? uploadName(kind, file.name) : undefined;

  // Follow the build of the uploaded object.
  const receipt = status.step === 'waiting' ? status.receipt : undefined;
  useEffect(() => {
    if (!receipt) return;
    let stopped = false;
    const poll = async () => {
      try {
        const { jobs } = await apiGet<{ jobs: JobWithSource[] }>(datasetPath(dataset, '/jobs?limit=20'));
        if (stopped) return;
        const job = uploadJob(jobs, receipt);
        setNow(Date.now());
        setStatus(job && !isActiveJob(job) ? { step: 'done', receipt, job } : { step: 'waiting', receipt, job });
      } catch (e) {
        // Until the build claims its job the dataset may not exist yet (404); any other error is real.
        if (!(e instanceof ApiError && e.status === 404) && !stopped)
          setStatus({ step: 'error', message: (e as Error).message });
      }
    };
    const timer = setInterval(() => void poll(), POLL_MS);
    void poll();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [dataset, receipt]);

  const upload = async (event: Event) => {
    event.preventDefault();
    if (!file || !name) return setStatus({ step: 'error', message: 'Choose a file to upload.' });
    if (!name.ok) return setStatus({ step: 'error', message: name.error });
    setStatus({ step: 'uploading', name: name.name });
    try {
      const answer = await apiRequest<UploadReceipt>(uploadPath(dataset, name.name), { method: 'PUT', body: file });
      setStatus(answer.kind === 'config' ? { step: 'done', receipt: answer } : { step: 'waiting', receipt: answer });
    } catch (e) {
      setStatus({ step: 'error', message: `Upload failed: ${(e as Error).message}` });
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer?.files[0];
    if (dropped) setFile(dropped);
  };
  const busy = status.step === 'uploading' || status.step === 'waiting';
  const failed =
    status.step === 'error' ||
    (status.step === 'done' && status.job !== undefined && status.job.status !== 'succeeded');
  return (
    <section>
      <h1>Upload to {dataset}</h1>
      <p>
        The file goes to <code>uploads/{dataset}/</code> in the bucket, as <code>npx affinity upload</code> puts it;
        interaction files and the catalogue start a build of the dataset, a config is read by the next build.
      </p>
      <form onSubmit={upload} class="upload">
        <label
          for="upload-file"
          class={`drop-zone${dragging ? ' dragging' : ''}`}
          onDragOver={(e) => (e.preventDefault(), setDragging(true))}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <span class="drop-title">File to upload</span>
          <span class="muted">
            {file
              ? `${file.name} (${file.size.toLocaleString('en')} bytes)`
              : 'Drop a file here, or press to choose one'}
          </span>
        </label>
        <input
          id="upload-file"
          ref={input}
          type="file"
          class="file-input"
          onChange={(e) => setFile(e.currentTarget.files?.[0])}
        />
        <div class="field">
          <label for="upload-kind">File kind</label>
          <select id="upload-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as UploadKind)}>
            <option value="interactions">interactions (the file's own name)</option>
            <option value="catalogue">catalogue (items.csv, .tsv or .jsonl)</option>
            <option value="config">config (config.json)</option>
          </select>
        </div>
        {name && (
          <p class={name.ok ? 'muted' : 'error'}>
            {name.ok ? `Key: uploads/${dataset}/${name.name}${name.note ? ` (${name.note})` : ''}` : name.error}
          </p>
        )}
        <button type="submit" disabled={busy || !file || (name !== undefined && !name.ok)}>
          Upload
        </button>
      </form>
      <div role="status" class={failed ? 'upload-status error' : 'upload-status'}>
        <p>{uploadStatusText(status, now)}</p>
        {status.step === 'waiting' && status.job && progressView(status.job)?.fraction !== undefined && (
          <progress value={progressView(status.job)?.fraction} max={1} aria-label="Build progress" />
        )}
        {status.step === 'done' && (
          <p>
            <a href={routeHref({ page: 'dataset', dataset })}>Open the dataset page</a>
          </p>
        )}
      </div>
    </section>
  );
}
