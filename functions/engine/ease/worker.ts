/** Exact EASE worker-thread entry: serves the shared task pool with this kernel's tasks (tasks.ts). */
import { serveTasks } from '../shared/task-pool.js';
import { EASE_KERNEL } from './pool.js';

serveTasks(EASE_KERNEL, 'EASE');
