// Runs the engine phases in a fresh process and prints the result as JSON (peak RSS is per process).
import { benchEngine } from './engine.js';

const [file, k, threads] = process.argv.slice(2);
const result = await benchEngine(file, { k: Number(k), threads: Number(threads) });
process.stdout.write(JSON.stringify(result));
