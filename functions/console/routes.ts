/** The console's hash routes (`#/`, `#/datasets/{d}`, `…/explore`, `…/upload`). Pure; tested in test/console/routes.test.ts. */
export type Route = { page: 'datasets' } | { page: 'dataset' | 'explore' | 'upload'; dataset: string };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
  if (parts[0] === 'datasets' && parts[1]) {
    const page = parts[2] === 'explore' ? 'explore' : parts[2] === 'upload' ? 'upload' : 'dataset';
    return { page, dataset: parts[1] };
  }
  return { page: 'datasets' };
}

export function routeHref(route: Route): string {
  if (route.page === 'datasets') return '#/';
  const base = `#/datasets/${encodeURIComponent(route.dataset)}`;
  return route.page === 'dataset' ? base : `${base}/${route.page}`;
}
