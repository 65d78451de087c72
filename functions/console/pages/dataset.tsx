/// <reference lib="dom" />
/**
 * `#/datasets/{d}`: the active version, kept versions with validation metrics (chart + table), rollback, build jobs
 * (refreshed every 2 s while one is queued or running), the data-quality report and the privacy actions.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { DatasetBody, JobsBody } from '../../api/model-schemas.js';
import { apiGet, apiSend, datasetPath } from '../api.js';
import { Actions } from '../components/actions.js';
import { Chart, type LineSeries } from '../components/chart.js';
import { DataQuality } from '../components/data-quality.js';
import { Dialog, DialogButtons, ErrorText } from '../components/dialog.js';
import { JobsTable } from '../components/jobs-table.js';
import { isActiveJob } from '../job-status.js';
import { rollbackBody, rollbackChoices } from '../rollback.js';
import { age, metricsSeries, versionAxisLabel, type MetricsSeries } from '../version-metrics.js';

const JOBS_REFRESH_MS = 2000;
const metric = (value: number | null) => (value === null ? '–' : value.toFixed(3));

function metricsChart(series: MetricsSeries): LineSeries {
  const known = series.ndcg.filter((v) => v !== null).length;
  return {
    kind: 'lines',
    title: 'Validation per version',
    xLabel: 'version (built, UTC), oldest first',
    labels: series.versions.map(versionAxisLabel),
    series: [
      { name: 'NDCG@10', values: series.ndcg, color: '#23395d' },
      { name: 'Recall@10', values: series.recall, color: '#c0392b' },
      { name: 'Coverage', values: series.coverage, color: '#2e8b57' },
    ],
    summary:
      `Line chart of NDCG@10, Recall@10 and coverage of the served model for ${series.versions.length} versions, ` +
      `oldest first; ${known} of them have validation.`,
  };
}

function RollbackDialog({ dataset, state, onDone }: { dataset: string; state: DatasetBody; onDone: () => void }) {
  const choices = rollbackChoices(state.versions);
  const [open, setOpen] = useState(false);
  const [version, setVersion] = useState(choices[0]?.version ?? '');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await apiSend('POST', datasetPath(dataset, '/rollback'), rollbackBody(version));
      setOpen(false);
      onDone();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        onClick={() => {
          setVersion(choices[0]?.version ?? '');
          setError(undefined);
          setOpen(true);
        }}
      >
        Roll back…
      </button>
      <Dialog open={open} title="Roll back" onClose={() => setOpen(false)}>
        <form onSubmit={submit}>
          <p>
            The version chosen serves every request at once, replacing {state.activeVersion}; it stays kept and can be
            activated again.
          </p>
          <label for="rollback-version">Version to activate</label>
          <select id="rollback-version" value={version} onChange={(e) => setVersion(e.currentTarget.value)}>
            {choices.map((choice) => (
              <option key={choice.version} value={choice.version}>
                {choice.label}
              </option>
            ))}
          </select>
          <ErrorText error={error} />
          <DialogButtons confirm="Roll back" disabled={busy || version === ''} onCancel={() => setOpen(false)} />
        </form>
      </Dialog>
    </>
  );
}

export function DatasetPage({ dataset }: { dataset: string }) {
  const [state, setState] = useState<DatasetBody>();
  const [jobs, setJobs] = useState<JobsBody>();
  const [error, setError] = useState<string>();
  const [now, setNow] = useState(Date.now());
  const loadState = useCallback(() => {
    apiGet<DatasetBody>(datasetPath(dataset)).then(
      (body) => (setState(body), setError(undefined)),
      (e: Error) => setError(e.message),
    );
  }, [dataset]);
  const loadJobs = useCallback(
    () =>
      apiGet<JobsBody>(datasetPath(dataset, '/jobs?limit=20')).then(
        (body) => (setJobs(body), setNow(Date.now()), body),
        (e: Error) => (setError(e.message), undefined),
      ),
    [dataset],
  );
  useEffect(loadState, [loadState]);
  const running = jobs?.jobs.some(isActiveJob) ?? false;
  useEffect(() => {
    void loadJobs();
  }, [loadJobs]);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      void loadJobs().then((body) => {
        // A build finished: the manifest may have a new active version.
        if (body && !body.jobs.some(isActiveJob)) loadState();
      });
    }, JOBS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [running, loadJobs, loadState]);

  const active = state?.versions.find((version) => version.active);
  const series = state ? metricsSeries(state.versions) : undefined;
  return (
    <section>
      <h1>Dataset {dataset}</h1>
      <ErrorText error={error} />
      {state && (
        <>
          <p class="active-line">
            Active version: <strong data-testid="active-version">{state.activeVersion ?? 'none'}</strong>
            {active && (
              <span class="muted">
                {' '}
                · {active.model.label} · {active.stats.users.toLocaleString('en')} users,{' '}
                {active.stats.items.toLocaleString('en')} items, {active.stats.ratings.toLocaleString('en')} ratings ·
                built {age(active.createdAt, now)}
              </span>
            )}{' '}
            {state.versions.length > 1 && <RollbackDialog dataset={dataset} state={state} onDone={loadState} />}
          </p>
          <h2>Kept versions</h2>
          <div class="table-scroll">
            <table>
              <caption class="visually-hidden">Kept versions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Model</th>
                  <th scope="col">Users / items / ratings</th>
                  <th scope="col">Built</th>
                  <th scope="col">NDCG@10</th>
                  <th scope="col">Recall@10</th>
                  <th scope="col">HitRate@10</th>
                  <th scope="col">Coverage</th>
                </tr>
              </thead>
              <tbody>
                {state.versions.map((version) => {
                  const i = series ? series.versions.indexOf(version.version) : -1;
                  return (
                    <tr key={version.version}>
                      <th scope="row">
                        {version.version}
                        {version.active ? ' (active)' : ''}
                      </th>
                      <td>{version.model.label}</td>
                      <td>
                        {[version.stats.users, version.stats.items, version.stats.ratings]
                          .map((n) => n.toLocaleString('en'))
                          .join(' / ')}
                      </td>
                      <td>{age(version.createdAt, now)}</td>
                      <td>{series ? metric(series.ndcg[i]) : ''}</td>
                      <td>{series ? metric(series.recall[i]) : ''}</td>
                      <td>{series ? metric(series.hitRate[i]) : ''}</td>
                      <td>{series ? metric(series.coverage[i]) : ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {series && series.versions.length > 0 && <Chart chart={metricsChart(series)} />}
        </>
      )}
      <h2>Build jobs</h2>
      {jobs && <JobsTable jobs={jobs.jobs} now={now} />}
      {state && <DataQuality dataset={dataset} jobId={active?.jobId} />}
      <Actions dataset={dataset} />
    </section>
  );
}
