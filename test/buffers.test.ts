import { describe, expect, it } from 'vitest';
import { BufferPool, ByteBudget } from '../src/buffers.js';

describe('BufferPool', () => {
  it('hands a given-back buffer to the next take of about the same size (same memory)', () => {
    const pool = new BufferPool(64 << 20);
    const a = pool.take(300_000);
    expect(a.length).toBe(300_000);
    a.fill(7);
    pool.give(a);
    const b = pool.take(290_000);
    expect(b.length).toBe(290_000);
    expect(b.buffer).toBe(a.buffer);
    // A different size class gets other memory.
    expect(pool.take(1_000_000).buffer).not.toBe(a.buffer);
  });

  it('never lends one buffer twice: a second give, or a buffer it did not lend, is ignored', () => {
    const pool = new BufferPool(64 << 20);
    const a = pool.take(100_000);
    pool.give(a);
    pool.give(a);
    const b = pool.take(100_000);
    const c = pool.take(100_000);
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(a.buffer);
    const foreign = Buffer.from(new ArrayBuffer(128 * 1024));
    pool.give(foreign);
    expect(pool.take(128 * 1024).buffer).not.toBe(foreign.buffer);
  });

  it('keeps at most its limit for reuse', () => {
    const pool = new BufferPool(256 * 1024);
    const taken = [pool.take(200_000), pool.take(200_000)];
    taken.forEach((b) => pool.give(b));
    const again = [pool.take(200_000), pool.take(200_000)];
    expect(again.filter((b) => taken.some((t) => t.buffer === b.buffer))).toHaveLength(1);
  });
});

describe('ByteBudget', () => {
  it('lets work through while under budget, holds it at the budget, and wakes it as bytes are released', async () => {
    const budget = new ByteBudget(100);
    await budget.room();
    budget.hold(60);
    await budget.room();
    budget.hold(60);
    const order: string[] = [];
    const waiting = budget.room().then(() => order.push('woken'));
    await Promise.resolve();
    expect(order).toEqual([]);
    budget.release(30); // 90 held: under the budget again
    await waiting;
    expect(order).toEqual(['woken']);
  });

  it('never blocks when nothing is held, so one file larger than the budget still goes through', async () => {
    const budget = new ByteBudget(10);
    await budget.room();
    budget.hold(1_000);
    let passed = false;
    const next = budget.room().then(() => (passed = true));
    await Promise.resolve();
    expect(passed).toBe(false);
    budget.release(1_000);
    await next;
    expect(passed).toBe(true);
  });
});
