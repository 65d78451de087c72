/**
 * A hand-written model for the erasure tests: GONE (the user to erase) is a close neighbour of ana and bo, and
 * PULLED (the item to take down) is in item rows, histories and popularity. Expected scores are worked out by hand
 * from these rows in the tests that use it.
 */
import type { TestModel } from './fixture.js';

export const GONE = 'gone-user-✂';
export const PULLED = 'pulled-item';
const n = (id: string, similarity: number, support = 1) => ({ id, similarity, support });
const h = (item: string, value: number) => ({ item, value });

/** GONE is a close neighbour of ana and bo; PULLED is in rows, histories and popularity. */
export const ERASABLE: TestModel = {
  userNeighbours: {
    ana: [n(GONE, 0.8, 3), n('bo', 0.5, 2)],
    bo: [n(GONE, 0.6), n('ana', 0.5, 2)],
    [GONE]: [n('ana', 0.8, 3), n('bo', 0.6)],
    cy: [n('bo', 0.4)],
  },
  histories: {
    ana: [h('i1', 5), h('i2', 3)],
    bo: [h('i2', 4), h(PULLED, 2)],
    [GONE]: [h('i3', 5), h('i4', 4), h(PULLED, 3)],
    cy: [h('i5', 1)],
  },
  itemNeighbours: {
    i1: [n(PULLED, 0.9, 2), n('i3', 0.5)],
    i2: [n('i4', 0.7), n(PULLED, 0.6)],
    i3: [n('i1', 0.5)],
    [PULLED]: [n('i1', 0.9, 2), n('i2', 0.6)],
    i4: [n('i2', 0.7)],
    i5: [n('i2', 0.2)],
  },
  popularity: [
    { item: PULLED, count: 3, meanValue: 10 / 3 },
    { item: 'i2', count: 2, meanValue: 3.5 },
    { item: 'i1', count: 1, meanValue: 5 },
    { item: 'i3', count: 1, meanValue: 5 },
    { item: 'i4', count: 1, meanValue: 4 },
    { item: 'i5', count: 1, meanValue: 1 },
  ],
};
