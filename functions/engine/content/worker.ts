/** Content kernel worker-thread entry: serves the shared task pool with the content kernel's ranges (pool.ts). */
import { serveTasks } from '../shared/task-pool.js';
import { CONTENT_KERNEL } from './pool.js';

serveTasks(CONTENT_KERNEL, 'content');
