import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref, type Route } from '../../functions/console/routes.js';

describe('hash routes', () => {
  it('round-trips every page, dataset names with reserved characters included', () => {
    const routes: Route[] = [
      { page: 'datasets' },
      { page: 'dataset', dataset: 'my data/2026#1' },
      { page: 'explore', dataset: 'shop' },
      { page: 'upload', dataset: 'ü?' },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
    expect(routeHref({ page: 'upload', dataset: 'a b' })).toBe('#/datasets/a%20b/upload');
  });

  it('reads the empty hash and unknown paths as the datasets page, and a bad escape as typed', () => {
    expect(parseRoute('')).toEqual({ page: 'datasets' });
    expect(parseRoute('#/elsewhere')).toEqual({ page: 'datasets' });
    expect(parseRoute('#/datasets/%E0')).toEqual({ page: 'dataset', dataset: '%E0' });
  });
});
