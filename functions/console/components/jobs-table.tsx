/// <reference lib="dom" />
/** The build jobs table: status, phase with a <progress>, done / total, elapsed, and errors in plain words. */
import { elapsed, jobErrorText, progressView, type JobView } from '../job-status.js';

export function JobsTable({ jobs, now }: { jobs: readonly JobView[]; now: number }) {
  if (jobs.length === 0) return <p>No build jobs yet.</p>;
  return (
    <div class="table-scroll">
      <table>
        <caption class="visually-hidden">Build jobs</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Status</th>
            <th scope="col">Phase</th>
            <th scope="col">Done / total</th>
            <th scope="col">Elapsed</th>
            <th scope="col">Version / outcome</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            const progress = progressView(job);
            const error = jobErrorText(job);
            return (
              <tr key={job.jobId}>
                <td>
                  <time dateTime={job.startedAt}>{job.startedAt.slice(0, 19).replace('T', ' ')}</time>
                </td>
                <td>
                  <span class={`status status-${job.status}`}>{job.status}</span>
                </td>
                <td>
                  {progress ? (
                    <>
                      {progress.phase}{' '}
                      <progress
                        value={progress.fraction ?? undefined}
                        max={1}
                        aria-label={`Progress of job ${job.jobId}: ${progress.phase}`}
                      />
                    </>
                  ) : (
                    '–'
                  )}
                </td>
                <td>{progress?.counts ?? '–'}</td>
                <td>{elapsed(job, now)}</td>
                <td>
                  {job.version ?? ''}
                  {job.activated === false && ' (kept, not activated: the promotion gate held it back)'}
                  {job.message && <div>{job.message}</div>}
                  {error && <div class="error">{error}</div>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
