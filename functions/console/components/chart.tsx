/// <reference lib="dom" />
/**
 * A uPlot chart with an accessible name (`role="img"` + `aria-label`: the data's one-sentence summary) and the
 * numbers as a table in a <details>. Draws what ../quality-report.ts or ../version-metrics.ts computed; a missing
 * chart is its one-line reason.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { BarSeries, ChartData, LogLineSeries } from '../quality-report.js';

export interface LineSeries {
  kind: 'lines';
  title: string;
  xLabel: string;
  /** Category labels of the x positions 0..n-1. */
  labels: string[];
  series: { name: string; values: (number | null)[]; color: string }[];
  summary: string;
}

type Drawable = BarSeries | LogLineSeries | LineSeries;

const HEIGHT = 220;

function options(chart: Drawable, width: number): uPlot.Options {
  const categoryAxis = (labels: string[]): uPlot.Axis => ({
    label: chart.xLabel,
    values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (labels[i] ?? '') : '')),
    splits: () => labels.map((_, i) => i),
    rotate: labels.some((l) => l.length > 6) ? -30 : 0,
    size: labels.some((l) => l.length > 6) ? 70 : 40,
  });
  const categoryScale = (count: number): uPlot.Scale => ({ time: false, range: () => [-0.5, count - 0.5] });
  if (chart.kind === 'bars') {
    return {
      width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: categoryScale(chart.labels.length), y: { range: (_u, _min, max) => [0, max * 1.05 || 1] } },
      axes: [categoryAxis(chart.labels), { label: chart.yLabel, size: 60 }],
      series: [
        {},
        {
          label: chart.yLabel,
          fill: '#5b8bd0',
          stroke: '#23395d',
          paths: uPlot.paths.bars!({ size: [0.7, 80] }),
          points: { show: false },
        },
      ],
    };
  }
  if (chart.kind === 'log-line') {
    return {
      width,
      height: HEIGHT,
      legend: { show: false },
      scales: { x: { time: false, distr: 3, log: 10 }, y: { distr: 3, log: 10 } },
      axes: [{ label: chart.xLabel }, { label: chart.yLabel, size: 60 }],
      series: [{}, { label: chart.yLabel, stroke: '#23395d', width: 2 }],
    };
  }
  return {
    width,
    height: HEIGHT,
    // The legend names the lines; values on hover would read "--" in a still picture.
    legend: { live: false },
    scales: { x: categoryScale(chart.labels.length), y: { range: [0, 1] } },
    axes: [categoryAxis(chart.labels), { size: 50 }],
    series: [
      { label: chart.xLabel, value: (_u, i) => (i === null ? '–' : (chart.labels[i] ?? '')) },
      ...chart.series.map((s) => ({ label: s.name, stroke: s.color, width: 2, spanGaps: false })),
    ],
  };
}

function data(chart: Drawable): uPlot.AlignedData {
  if (chart.kind === 'bars') return [chart.values.map((_, i) => i), chart.values];
  if (chart.kind === 'log-line') return [chart.x, chart.y];
  return [chart.labels.map((_, i) => i), ...chart.series.map((s) => s.values)];
}

/** The numbers behind a chart, as a table. */
function NumbersTable({ chart }: { chart: Drawable }) {
  const header =
    chart.kind === 'lines' ? [chart.xLabel, ...chart.series.map((s) => s.name)] : [chart.xLabel, chart.yLabel];
  const rows: (string | number | null)[][] =
    chart.kind === 'bars'
      ? chart.labels.map((label, i) => [label, chart.values[i]])
      : chart.kind === 'log-line'
        ? chart.x.map((x, i) => [x, chart.y[i]])
        : chart.labels.map((label, i) => [label, ...chart.series.map((s) => s.values[i])]);
  const cell = (value: string | number | null) =>
    value === null ? '–' : typeof value === 'number' ? value.toLocaleString('en', { maximumFractionDigits: 4 }) : value;
  return (
    <details>
      <summary>{chart.title}: the numbers</summary>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              {header.map((h) => (
                <th scope="col" key={h}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                <th scope="row">{cell(row[0])}</th>
                {row.slice(1).map((value, j) => (
                  <td key={j}>{cell(value)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

export function Chart({ chart }: { chart: ChartData | LineSeries }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element || chart.kind === 'missing') return;
    const plot = new uPlot(options(chart, Math.max(200, element.clientWidth)), data(chart), element);
    const observer = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(200, element.clientWidth), height: HEIGHT }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [chart]);
  if (chart.kind === 'missing')
    return (
      <figure class="chart">
        <figcaption>{chart.title}</figcaption>
        <p class="muted">{chart.reason}</p>
      </figure>
    );
  return (
    <figure class="chart">
      <figcaption>{chart.title}</figcaption>
      <div class="chart-canvas" ref={box} role="img" aria-label={chart.summary} />
      <NumbersTable chart={chart} />
    </figure>
  );
}
