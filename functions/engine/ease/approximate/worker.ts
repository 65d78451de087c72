/** Approximate EASE worker-thread entry: serves the shared task pool with this kernel's tasks (tasks.ts). */
import { serveTasks } from '../../shared/task-pool.js';
import { APPROXIMATE_KERNEL } from './pool.js';

serveTasks(APPROXIMATE_KERNEL, 'approximate EASE');
