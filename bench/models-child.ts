/**
 * One model build in a fresh process (peak RSS is per process), printed as JSON:
 *   node --import tsx bench/models-child.ts <model> <items> <threads>
 * model: item-knn | user-knn | ease-exact | ease-approximate | auto. Data: the synthetic generator with
 * users = 2 × items and 150 interactions per item (5k items: 750k; 15k: 2.25M; 30k: 4.5M), seed 7; the generation
 * is not timed. `auto` is the whole default build: the validation over every candidate, then the chosen model.
 */
import { buildRatingMatrix } from '../functions/engine/data/index.js';
import { validateModels } from '../functions/engine/evaluate/index.js';
import { parseModelConfig } from '../functions/engine/model-config.js';
import { candidateSpecs, describeSpec, easeLambdaGrid, type ModelSpec } from '../functions/engine/models/index.js';
import { computeModelBlocks } from '../functions/engine/recommend/index.js';
import { syntheticLog } from '../functions/engine/synthetic/index.js';
import { DEFAULT_SIMILARITY_OPTIONS } from '../functions/engine/types.js';
import { peakRssMb } from './machine.js';

export interface ModelBenchResult {
  model: string;
  label: string;
  items: number;
  users: number;
  ratings: number;
  threads: number;
  seconds: number;
  evaluateSeconds?: number;
  peakRssMb: number;
}

const [model, itemsArg, threadsArg] = process.argv.slice(2);
const items = Number(itemsArg);
const threads = Number(threadsArg);
const { matrix } = buildRatingMatrix(syntheticLog({ users: 2 * items, items, ratings: 150 * items, seed: 7 }));
const similarity = { ...DEFAULT_SIMILARITY_OPTIONS };
const middleLambda = (): number => easeLambdaGrid(matrix, [1])[0];

const started = performance.now();
let spec: ModelSpec;
let evaluateSeconds: number | undefined;
switch (model) {
  case 'item-knn':
  case 'user-knn':
    spec = { model, similarity };
    break;
  case 'ease-exact':
  case 'ease-approximate':
    spec = { model: 'ease', lambda: middleLambda(), k: 200, method: model === 'ease-exact' ? 'exact' : 'approximate' };
    break;
  case 'auto': {
    const { chosen } = await validateModels(matrix, {
      candidates: candidateSpecs(parseModelConfig({}), matrix),
      threads,
    });
    spec = chosen;
    evaluateSeconds = (performance.now() - started) / 1000;
    break;
  }
  default:
    throw new Error(`unknown model ${model}`);
}
await computeModelBlocks(matrix, { spec, threads });
const result: ModelBenchResult = {
  model,
  label: describeSpec(spec),
  items: matrix.items.size,
  users: matrix.users.size,
  ratings: matrix.byUser.indices.length,
  threads,
  seconds: (performance.now() - started) / 1000,
  ...(evaluateSeconds !== undefined ? { evaluateSeconds } : {}),
  peakRssMb: peakRssMb(),
};
process.stdout.write(JSON.stringify(result));
