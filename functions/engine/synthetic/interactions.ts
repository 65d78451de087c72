/**
 * The synthetic data set in memory, without text or parsing: as interactions, or straight into an InteractionLog.
 */
import { InteractionLog } from '../data/index.js';
import type { Interaction } from '../types.js';
import { SyntheticSource } from './generator.js';
import type { SyntheticOptions } from './options.js';

/** The data set one interaction at a time, users in order (u0 first), each user's rows in time order. */
export function* syntheticInteractions(options: SyntheticOptions): Generator<Interaction> {
  const source = new SyntheticSource(options);
  const { users, implicit, timestamps } = source.options;
  for (let u = 0; u < users; u++) {
    const rows = source.fillUser(u);
    const user = source.userId(u);
    for (let r = 0; r < rows; r++) {
      const interaction: Interaction = {
        user,
        item: source.itemId(source.item[r]),
        value: implicit ? 1 : source.value[r],
      };
      if (timestamps) interaction.timestamp = source.timestamp[r];
      yield interaction;
    }
  }
}

/**
 * The data set straight into an InteractionLog (no text, no parsing), in the same order as the files, so
 * ids get the same dictionary indices as when the file is loaded. For benchmarks and tests of later phases.
 */
export function syntheticLog(options: SyntheticOptions): InteractionLog {
  const source = new SyntheticSource(options);
  const { users, items, implicit, timestamps } = source.options;
  const log = new InteractionLog();
  const itemIndex = new Int32Array(items).fill(-1); // generator item -> dictionary index, first-seen order
  for (let u = 0; u < users; u++) {
    const rows = source.fillUser(u);
    const userIndex = log.users.intern(source.userId(u));
    for (let r = 0; r < rows; r++) {
      const item = source.item[r];
      let index = itemIndex[item];
      if (index < 0) index = itemIndex[item] = log.items.intern(source.itemId(item));
      log.addIndexed(userIndex, index, implicit ? 1 : source.value[r], timestamps ? source.timestamp[r] : undefined);
    }
  }
  return log;
}
