/**
 * The rejection threshold: a file most of whose rows are rejected is not a model. Above `maxRejectedShare` of its
 * data rows rejected, ingest fails with a DataQualityError, a UserInputError that carries the data-quality report
 * so the build can still write it (the previous model keeps serving). Tested in ingest-rejected-share.test.ts.
 */
import { UserInputError } from '../types.js';
import type { Rejections } from './rejections.js';
import type { LogReport, QualityReport } from './types.js';

export const DEFAULT_MAX_REJECTED_SHARE = 0.1;

export class DataQualityError extends UserInputError {
  constructor(
    message: string,
    where: string,
    hint: string,
    /** The data-quality report of the parse (what was read, rejected by reason, warnings). */
    readonly report: LogReport | QualityReport,
  ) {
    super(message, where, hint);
  }
}

/** Throws when more than `maxShare` of `report.rowsRead` were rejected (exactly `maxShare` is allowed). */
export function checkRejectedShare(report: LogReport, rejections: Rejections, maxShare: number, label: string): void {
  const { rowsRead } = report;
  if (rowsRead === 0 || rejections.total <= maxShare * rowsRead) return;
  const percent = ((100 * rejections.total) / rowsRead).toFixed(1);
  throw new DataQualityError(
    `${label}: ${rejections.total} of ${rowsRead} rows were rejected (${percent}%), more than maxRejectedShare ` +
      `${maxShare} (${Number((maxShare * 100).toPrecision(6))}%) allows — ${rejections.summary()}`,
    label,
    'fix the rejected lines (the report lists each reason with line numbers and an example), or check the ' +
      'format, header and columns options; or raise maxRejectedShare in the dataset config if these rows are ' +
      'meant to be dropped',
    report,
  );
}
