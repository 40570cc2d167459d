import { take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { PendingQueue, drain } from '../../src/sources/longPollInternals.js';

describe('PendingQueue', () => {
  it('is first-in first-out across pushes and shifts, however long', () => {
    const queue = new PendingQueue<number>();
    let pushed = 0;
    let shifted = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3000; i++) queue.push(pushed++);
      for (let i = 0; i < 2500; i++) expect(queue.shift()).toBe(shifted++);
    }
    expect(queue.length).toBe(pushed - shifted);
    expect(queue.toArray()).toEqual(Array.from({ length: pushed - shifted }, (_, i) => shifted + i));
    while (queue.length > 0) expect(queue.shift()).toBe(shifted++);
    expect(queue.shift()).toBeUndefined();
  });

  it('drains one event at a time and keeps what a consumer that left did not take', () => {
    const queue = new PendingQueue<string>();
    for (const event of ['a', 'b', 'c', 'd']) queue.push(event);
    const taken: string[] = [];
    drain(queue)
      .pipe(take(2))
      .subscribe((event) => taken.push(event));
    expect(taken).toEqual(['a', 'b']);
    expect(queue.toArray()).toEqual(['c', 'd']);
  });
});
