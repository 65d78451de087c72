/// <reference lib="dom" />
/** The "Data quality" section: the active version's build job's report as charts and tables (../quality-report.ts). */
import { useEffect, useState } from 'preact/hooks';
import { apiGet, datasetPath } from '../api.js';
import {
  filesTable,
  popularityTailChart,
  rejectedTable,
  userActivityChart,
  valueChart,
  type BuildReport,
} from '../quality-report.js';
import { Chart } from './chart.js';
import { ErrorText } from './dialog.js';

const n = (value: number) => value.toLocaleString('en');

export function DataQuality({ dataset, jobId }: { dataset: string; jobId: string | undefined }) {
  const [report, setReport] = useState<BuildReport | null>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!jobId) return;
    setReport(undefined);
    apiGet<{ report?: BuildReport }>(datasetPath(dataset, `/jobs/${encodeURIComponent(jobId)}`)).then(
      (job) => setReport(job.report ?? null),
      (e: Error) => setError(e.message),
    );
  }, [dataset, jobId]);
  return (
    <section aria-labelledby="data-quality">
      <h2 id="data-quality">Data quality</h2>
      {!jobId && <p>No active version: nothing to report yet.</p>}
      <ErrorText error={error} />
      {report === null && <p>The active version's build job has no report.</p>}
      {report && <ReportView report={report} jobId={jobId ?? ''} />}
    </section>
  );
}

function ReportView({ report, jobId }: { report: BuildReport; jobId: string }) {
  const files = filesTable(report);
  const rejected = rejectedTable(report);
  return (
    <>
      <p class="muted">From build job {jobId}.</p>
      <div class="charts">
        <Chart chart={valueChart(report)} />
        <Chart chart={userActivityChart(report)} />
        <Chart chart={popularityTailChart(report)} />
      </div>
      <h3>Files</h3>
      {'missing' in files ? (
        <p class="muted">{files.missing}</p>
      ) : (
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">Rows per file</caption>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Rows read</th>
                <th scope="col">Accepted</th>
                <th scope="col">Rejected</th>
              </tr>
            </thead>
            <tbody>
              {files.rows.map((file) => (
                <tr key={file.file}>
                  <th scope="row">{file.file}</th>
                  <td>{n(file.rowsRead)}</td>
                  <td>{n(file.accepted)}</td>
                  <td>{n(file.rejected)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {files.omitted > 0 && <p class="muted">{n(files.omitted)} more files are in the version's S3 report.</p>}
        </div>
      )}
      <h3>Rejected lines</h3>
      {'missing' in rejected ? (
        <p class="muted">{rejected.missing}</p>
      ) : rejected.rows.length === 0 ? (
        <p>No line was rejected.</p>
      ) : (
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">Rejected lines by reason</caption>
            <thead>
              <tr>
                <th scope="col">Reason</th>
                <th scope="col">Lines</th>
                <th scope="col">Example</th>
              </tr>
            </thead>
            <tbody>
              {rejected.rows.map((row) => (
                <tr key={row.reason}>
                  <th scope="row">
                    {row.words} <span class="muted">({row.reason})</span>
                  </th>
                  <td>{n(row.count)}</td>
                  <td>
                    <code>{row.example}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
