// One parser over one file in a fresh process (no JIT or heap state shared with the other parser); prints JSON.
import { benchParser } from './parsers.js';

const [parser, file] = process.argv.slice(2);
process.stdout.write(JSON.stringify(await benchParser(parser as 'engine' | 'csv-parse', file)));
