/// <reference lib="dom" />
/** `#/`: every dataset (GET /v1/datasets, all pages) with its active version, size, model and last build. */
import { useEffect, useState } from 'preact/hooks';
import { apiGet } from '../api.js';
import { ErrorText } from '../components/dialog.js';
import { datasetRow, listAllDatasets, type DatasetSummary, type DatasetsPage as Page } from '../datasets-list.js';
import { routeHref } from '../routes.js';

export function DatasetsPage() {
  const [datasets, setDatasets] = useState<DatasetSummary[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    listAllDatasets((path) => apiGet<Page>(path)).then(setDatasets, (e: Error) => setError(e.message));
  }, []);
  const now = Date.now();
  return (
    <section>
      <h1>Datasets</h1>
      <ErrorText error={error} />
      {!datasets && !error && <p role="status">Loading…</p>}
      {datasets && datasets.length === 0 && (
        <p>No datasets yet: upload an interaction file (`npx affinity upload`, or a dataset's Upload page).</p>
      )}
      {datasets && datasets.length > 0 && (
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">Datasets</caption>
            <thead>
              <tr>
                <th scope="col">Dataset</th>
                <th scope="col">Active version</th>
                <th scope="col">Users / items / ratings</th>
                <th scope="col">Model</th>
                <th scope="col">Last build</th>
              </tr>
            </thead>
            <tbody>
              {datasets.map((summary) => {
                const row = datasetRow(summary, now);
                return (
                  <tr key={row.dataset}>
                    <td>
                      <a href={routeHref({ page: 'dataset', dataset: row.dataset })}>{row.dataset}</a>
                    </td>
                    <td>{row.activeVersion}</td>
                    <td>{row.size}</td>
                    <td>{row.model}</td>
                    <td>
                      {row.lastBuild}
                      {row.lastBuildError && <div class="error">{row.lastBuildError}</div>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
