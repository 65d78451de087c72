/**
 * The default build (model auto: validation of every candidate, then the chosen model) from a ratings file, in a
 * fresh process, printed as JSON: `node --import tsx bench/auto-file-child.ts <file> <threads>`.
 */
import { parseModelConfig } from '../functions/engine/model-config.js';
import { describeSpec } from '../functions/engine/models/index.js';
import { buildModel } from '../functions/engine/pipeline.js';
import { peakRssMb } from './machine.js';

export interface AutoFileResult {
  label: string;
  users: number;
  items: number;
  ratings: number;
  timings: Record<string, number>;
  candidates: { name: string; ndcg: number; trainSeconds: number }[];
  peakRssMb: number;
}

const [file, threads] = process.argv.slice(2);
const built = await buildModel(file, { config: parseModelConfig({}), threads: Number(threads) });
const result: AutoFileResult = {
  label: describeSpec(built.spec),
  users: built.model.matrix.users.size,
  items: built.model.matrix.items.size,
  ratings: built.report.ratings,
  timings: built.timings,
  candidates: (built.validation?.candidates ?? []).map(({ name, ndcg, trainSeconds }) => ({
    name,
    ndcg,
    trainSeconds,
  })),
  peakRssMb: peakRssMb(),
};
process.stdout.write(JSON.stringify(result));
