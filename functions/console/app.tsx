/// <reference lib="dom" />
/**
 * The console's pages (hash routes): `#/` datasets, `#/datasets/{d}` one dataset, `#/datasets/{d}/explore` the
 * recommendation explorer. Logic lives in the plain modules next to this file (tested without a browser); the
 * components only fetch and draw.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { DatasetBody, JobsBody } from '../api/model-schemas.js';
import { apiGet, datasetPath } from './api.js';
import { explanationBars, type BecauseEntry } from './explanation.js';
import { recommendationsPath, type ExplorerForm } from './filter-form.js';
import { age, metricsSeries } from './version-metrics.js';

type Route = { page: 'datasets' } | { page: 'dataset'; dataset: string } | { page: 'explore'; dataset: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'datasets' && parts[1])
    return { page: parts[2] === 'explore' ? 'explore' : 'dataset', dataset: parts[1] };
  return { page: 'datasets' };
}

const href = (dataset: string, explore = false) =>
  `#/datasets/${encodeURIComponent(dataset)}${explore ? '/explore' : ''}`;

export function App() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onHash = () => setHash(location.hash);
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const route = parseRoute(hash);
  return (
    <>
      <header>
        <nav aria-label="Main">
          <a href="#/">Affinity console</a>
          {route.page !== 'datasets' && (
            <>
              <a href={href(route.dataset)}>{route.dataset}</a>
              <a href={href(route.dataset, true)}>Explorer</a>
            </>
          )}
        </nav>
      </header>
      <main>
        {route.page === 'datasets' && <DatasetsPage />}
        {route.page === 'dataset' && <DatasetPage dataset={route.dataset} />}
        {route.page === 'explore' && <ExplorerPage dataset={route.dataset} />}
      </main>
    </>
  );
}

function ErrorText({ error }: { error: string | undefined }) {
  return error ? (
    <p role="alert" class="error">
      {error}
    </p>
  ) : null;
}

// ---- datasets --------------------------------------------------------------------------------------------------
const KNOWN_KEY = 'affinity.console.datasets';

function knownDatasets(): string[] {
  try {
    const stored = JSON.parse(localStorage.getItem(KNOWN_KEY) ?? '[]') as unknown;
    if (Array.isArray(stored) && stored.every((name) => typeof name === 'string') && stored.length > 0) return stored;
  } catch {
    // A corrupt entry is replaced below.
  }
  return ['demo'];
}

function DatasetsPage() {
  const [names, setNames] = useState(knownDatasets);
  const [name, setName] = useState('');
  const add = (event: Event) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed === '' || names.includes(trimmed)) return;
    const next = [...names, trimmed];
    localStorage.setItem(KNOWN_KEY, JSON.stringify(next));
    setNames(next);
    setName('');
  };
  return (
    <section>
      <h1>Datasets</h1>
      <p>The API has no list of datasets yet: add the names you use (kept in this browser).</p>
      <table>
        <thead>
          <tr>
            <th scope="col">Dataset</th>
            <th scope="col">Active version</th>
            <th scope="col">Users / items / ratings</th>
            <th scope="col">Last build</th>
          </tr>
        </thead>
        <tbody>
          {names.map((dataset) => (
            <DatasetRow key={dataset} dataset={dataset} />
          ))}
        </tbody>
      </table>
      <form onSubmit={add}>
        <label for="add-dataset">Dataset name</label>
        <input id="add-dataset" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit">Add</button>
      </form>
    </section>
  );
}

function DatasetRow({ dataset }: { dataset: string }) {
  const [state, setState] = useState<DatasetBody>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    apiGet<DatasetBody>(datasetPath(dataset)).then(setState, (e: Error) => setError(e.message));
  }, [dataset]);
  const active = state?.versions.find((version) => version.active);
  const job = state?.latestJob;
  return (
    <tr>
      <th scope="row">
        <a href={href(dataset)}>{dataset}</a>
      </th>
      <td>{error ?? state?.activeVersion ?? (state ? 'none' : '…')}</td>
      <td>{active ? `${active.stats.users} / ${active.stats.items} / ${active.stats.ratings}` : ''}</td>
      <td>{job ? `${job.status}, ${age(job.finishedAt ?? job.updatedAt, Date.now())}` : state ? 'none' : ''}</td>
    </tr>
  );
}

// ---- one dataset -----------------------------------------------------------------------------------------------
const pct = (value: number | null) => (value === null ? '–' : value.toFixed(3));

function DatasetPage({ dataset }: { dataset: string }) {
  const [state, setState] = useState<DatasetBody>();
  const [jobs, setJobs] = useState<JobsBody>();
  const [error, setError] = useState<string>();
  const load = useCallback(() => {
    setError(undefined);
    apiGet<DatasetBody>(datasetPath(dataset)).then(setState, (e: Error) => setError(e.message));
    apiGet<JobsBody>(datasetPath(dataset, '/jobs')).then(setJobs, (e: Error) => setError(e.message));
  }, [dataset]);
  useEffect(load, [load]);
  const rollback = async () => {
    if (!confirm(`Re-activate the version before ${state?.activeVersion ?? 'the active one'} for dataset ${dataset}?`))
      return;
    try {
      await apiGet(datasetPath(dataset, '/rollback'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: '{}',
      });
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const series = state ? metricsSeries(state.versions) : undefined;
  return (
    <section>
      <h1>Dataset {dataset}</h1>
      <ErrorText error={error} />
      {state && (
        <>
          <p>
            Active version: <strong>{state.activeVersion ?? 'none'}</strong>{' '}
            {state.versions.length > 1 && (
              <button type="button" onClick={rollback}>
                Roll back…
              </button>
            )}
          </p>
          <h2>Versions</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Model</th>
                <th scope="col">Users / items / ratings</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {state.versions.map((version) => (
                <tr key={version.version}>
                  <th scope="row">
                    {version.version}
                    {version.active ? ' (active)' : ''}
                  </th>
                  <td>{version.model.label}</td>
                  <td>{`${version.stats.users} / ${version.stats.items} / ${version.stats.ratings}`}</td>
                  <td>{age(version.createdAt, Date.now())}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {series && (
            <>
              <h2>Validation (the served candidate), oldest first</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">NDCG@10</th>
                    <th scope="col">Recall@10</th>
                    <th scope="col">HitRate@10</th>
                    <th scope="col">Coverage</th>
                  </tr>
                </thead>
                <tbody>
                  {series.versions.map((version, i) => (
                    <tr key={version}>
                      <th scope="row">{version}</th>
                      <td>{pct(series.ndcg[i])}</td>
                      <td>{pct(series.recall[i])}</td>
                      <td>{pct(series.hitRate[i])}</td>
                      <td>{pct(series.coverage[i])}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
      {jobs && (
        <>
          <h2>Build jobs</h2>
          <ul class="jobs">
            {jobs.jobs.map((job) => (
              <li key={job.jobId}>
                <strong>{job.status}</strong> {job.jobId} {age(job.startedAt, Date.now())}
                {job.progress && job.status === 'running' && (
                  <>
                    {' '}
                    {job.progress.phase}{' '}
                    <progress value={job.progress.done} max={job.progress.total || 1} aria-label="Build progress" />
                  </>
                )}
                {job.error && (
                  <p class="error">
                    {job.error.message}
                    {job.error.where ? ` (at ${job.error.where})` : ''} {job.error.hint ?? ''}
                  </p>
                )}
                {job.message && <p>{job.message}</p>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

// ---- explorer --------------------------------------------------------------------------------------------------
interface RecommendedItem {
  item: string;
  score: number;
  title?: string;
  categories?: string[];
  because?: BecauseEntry[];
}
interface RecommendationsBody {
  version: string;
  algorithm: string;
  model: string;
  items: RecommendedItem[];
}
interface SimilarBody {
  similar: { id: string; similarity: number; title?: string; terms?: string[] }[];
}

function ExplorerPage({ dataset }: { dataset: string }) {
  const [form, setForm] = useState<ExplorerForm>({
    userId: '',
    algorithm: 'item',
    limit: 10,
    includeCategories: '',
    excludeCategories: '',
    diversity: 0,
  });
  const [result, setResult] = useState<RecommendationsBody>();
  const [error, setError] = useState<string>();
  const [similar, setSimilar] = useState<{ of: string; body: SimilarBody }>();
  const set = <K extends keyof ExplorerForm>(key: K, value: ExplorerForm[K]) => setForm({ ...form, [key]: value });
  const submit = (event: Event) => {
    event.preventDefault();
    const path = recommendationsPath(dataset, form);
    if (!path.ok) return setError(path.error);
    setError(undefined);
    apiGet<RecommendationsBody>(path.query).then(setResult, (e: Error) => setError(e.message));
  };
  const showSimilar = (item: string) =>
    apiGet<SimilarBody>(datasetPath(dataset, `/items/${encodeURIComponent(item)}/similar?limit=5&fields=title`)).then(
      (body) => setSimilar({ of: item, body }),
      (e: Error) => setError(e.message),
    );
  return (
    <section>
      <h1>Explorer: {dataset}</h1>
      <form onSubmit={submit} class="explorer">
        <label for="user-id">User id</label>
        <input id="user-id" value={form.userId} onInput={(e) => set('userId', e.currentTarget.value)} />
        <label for="algorithm">Algorithm</label>
        <select
          id="algorithm"
          value={form.algorithm}
          onChange={(e) => set('algorithm', e.currentTarget.value === 'user' ? 'user' : 'item')}
        >
          <option value="item">the version's model (item)</option>
          <option value="user">similar users (user-kNN)</option>
        </select>
        <label for="include">Only categories (comma-separated)</label>
        <input
          id="include"
          value={form.includeCategories}
          onInput={(e) => set('includeCategories', e.currentTarget.value)}
        />
        <label for="exclude">Not categories</label>
        <input
          id="exclude"
          value={form.excludeCategories}
          onInput={(e) => set('excludeCategories', e.currentTarget.value)}
        />
        <label for="diversity">Diversity {form.diversity.toFixed(1)}</label>
        <input
          id="diversity"
          type="range"
          min="0"
          max="1"
          step="0.1"
          value={form.diversity}
          onInput={(e) => set('diversity', Number(e.currentTarget.value))}
        />
        <button type="submit">Recommend</button>
      </form>
      <ErrorText error={error} />
      {result && (
        <>
          <p>
            Version {result.version}, algorithm {result.algorithm}, model {result.model}
          </p>
          <ol class="items">
            {result.items.map((item) => (
              <li key={item.item}>
                <strong>{item.title ?? item.item}</strong> <span class="muted">{item.item}</span> score{' '}
                {item.score.toFixed(3)}
                {item.categories && item.categories.length > 0 && (
                  <span class="muted"> · {item.categories.join(', ')}</span>
                )}{' '}
                <button type="button" onClick={() => showSimilar(item.item)}>
                  Similar items
                </button>
                <ul class="bars">
                  {explanationBars(item.because).map((bar, i) => (
                    <li key={i} title={bar.detail}>
                      {bar.widthPercent !== undefined && (
                        <span class="bar" style={{ width: `${bar.widthPercent}%` }} aria-hidden="true" />
                      )}
                      <span>{bar.label}</span>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        </>
      )}
      {similar && (
        <aside aria-label={`Items similar to ${similar.of}`}>
          <h2>Similar to {similar.of}</h2>
          <ol>
            {similar.body.similar.map((entry) => (
              <li key={entry.id}>
                {entry.title ?? entry.id} <span class="muted">{entry.id}</span> similarity {entry.similarity.toFixed(3)}
                {entry.terms && entry.terms.length > 0 ? `; shares: ${entry.terms.join(', ')}` : ''}
              </li>
            ))}
          </ol>
        </aside>
      )}
    </section>
  );
}
