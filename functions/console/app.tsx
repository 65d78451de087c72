/// <reference lib="dom" />
/**
 * The console's shell: hash routes (./routes.ts) and the navigation; each page is its own module under pages/.
 * Logic lives in the plain modules next to this file (tested without a browser); components only fetch and draw.
 */
import { useEffect, useState } from 'preact/hooks';
import { DatasetPage } from './pages/dataset.js';
import { DatasetsPage } from './pages/datasets.js';
import { ExplorerPage } from './pages/explorer.js';
import { UploadPage } from './pages/upload.js';
import { parseRoute, routeHref, type Route } from './routes.js';

function NavLink({ to, current, children }: { to: Route; current: Route; children: string }) {
  const here = to.page === current.page;
  return (
    <a href={routeHref(to)} aria-current={here ? 'page' : undefined}>
      {children}
    </a>
  );
}

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
          <span class="brand">Affinity console</span>
          <NavLink to={{ page: 'datasets' }} current={route}>
            Datasets
          </NavLink>
          {route.page !== 'datasets' && (
            <>
              <span class="dataset-name">{route.dataset}:</span>
              <NavLink to={{ page: 'dataset', dataset: route.dataset }} current={route}>
                Overview
              </NavLink>
              <NavLink to={{ page: 'explore', dataset: route.dataset }} current={route}>
                Explorer
              </NavLink>
              <NavLink to={{ page: 'upload', dataset: route.dataset }} current={route}>
                Upload
              </NavLink>
            </>
          )}
        </nav>
      </header>
      <main>
        {route.page === 'datasets' && <DatasetsPage />}
        {route.page === 'dataset' && <DatasetPage key={route.dataset} dataset={route.dataset} />}
        {route.page === 'explore' && <ExplorerPage key={route.dataset} dataset={route.dataset} />}
        {route.page === 'upload' && <UploadPage key={route.dataset} dataset={route.dataset} />}
      </main>
    </>
  );
}
