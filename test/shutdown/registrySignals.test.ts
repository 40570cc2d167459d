/**
 * The Ctrl-C policy of the signal helper (src/integrations/signals.ts) and of the web wiring's
 * registry built on it: the first signal starts the cleanup, a second one while it runs only
 * prints a message, a third forces. The registry used to re-raise on the second signal, cutting a
 * node's `close()` short: here a real node on a slow devnet closes everything all the same.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DevnetHandle } from '@golem-rx/devnet';
import { runnableFromNode, wireUp } from '../../src/integrations/index.js';
import { CLEANING_UP_MESSAGE, SignalHandlers, type SignalProcess } from '../../src/integrations/signals.js';
import { approvedAgreement, nodeOn, openCounts, testDevnet } from '../resources/support/devnet.js';

class FakeProcess extends EventEmitter implements SignalProcess {
  readonly pid = 4242;
  readonly killed: string[] = [];
  readonly written: string[] = [];
  readonly stderr = { write: (text: string): boolean => this.written.push(text) > 0 };
  kill(_pid: number, signal: NodeJS.Signals): boolean {
    this.killed.push(signal);
    return true;
  }
}

describe('SignalHandlers', () => {
  it('first signal: onSignal; second: the message only; third: onForce', () => {
    const proc = new FakeProcess();
    const calls: string[] = [];
    const handlers = new SignalHandlers(proc, ['SIGINT', 'SIGTERM'], (s) => calls.push(`signal ${s}`), {
      onForce: (s) => calls.push(`force ${s}`),
    });
    handlers.install();
    proc.emit('SIGINT', 'SIGINT');
    expect(calls).toEqual(['signal SIGINT']);
    expect(proc.written).toEqual([]);
    proc.emit('SIGTERM', 'SIGTERM');
    expect(calls).toEqual(['signal SIGINT']);
    expect(proc.written).toEqual([CLEANING_UP_MESSAGE]);
    proc.emit('SIGINT', 'SIGINT');
    expect(calls).toEqual(['signal SIGINT', 'force SIGINT']);
    handlers.remove();
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM')).toBe(0);
  });

  it('a cleanup begun without a signal: the first signal gets the message, the second forces', () => {
    const proc = new FakeProcess();
    const onSignal = vi.fn();
    const onForce = vi.fn();
    const handlers = new SignalHandlers(proc, ['SIGINT'], onSignal, { onForce, message: 'wait\n' });
    handlers.install();
    handlers.cleaningUp();
    proc.emit('SIGINT', 'SIGINT');
    expect(proc.written).toEqual(['wait\n']);
    expect(onForce).not.toHaveBeenCalled();
    proc.emit('SIGINT', 'SIGINT');
    expect(onForce).toHaveBeenCalledWith('SIGINT');
    expect(onSignal).not.toHaveBeenCalled();
  });
});

describe('the registry (web wiring) on a slow devnet', () => {
  let devnet: DevnetHandle;

  beforeEach(async () => {
    devnet = await testDevnet({ latency: 100 });
  });

  afterEach(async () => {
    await devnet.stop();
  });

  it('SIGINT, then SIGINT during the drain: the node still closes everything, then the signal is re-raised', async () => {
    const node = nodeOn(devnet); // it pays: a clean stop settles the agreement too
    await approvedAgreement(node);
    const proc = new FakeProcess();
    const registry = wireUp([runnableFromNode(node)], { process: proc, drainTimeout: 60_000 });
    await registry.wireUpOnStartup();
    proc.emit('SIGINT', 'SIGINT');
    proc.emit('SIGINT', 'SIGINT'); // while node.close() runs (every request takes 100 ms)
    expect(proc.written).toEqual([CLEANING_UP_MESSAGE]);
    expect(proc.killed).toEqual([]);
    const report = await registry.whenStopped();
    expect(report).toMatchObject({ reason: 'SIGINT', clean: true });
    await vi.waitFor(() => expect(proc.killed).toEqual(['SIGINT']));
    expect(openCounts(devnet)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
  });

  it('a third signal during the drain gives up waiting at once', async () => {
    const node = nodeOn(devnet, { payments: false });
    await approvedAgreement(node);
    const proc = new FakeProcess();
    const registry = wireUp([runnableFromNode(node)], { process: proc, drainTimeout: 60_000 });
    await registry.wireUpOnStartup();
    for (let i = 0; i < 3; i++) proc.emit('SIGINT', 'SIGINT');
    expect(proc.killed).toEqual(['SIGINT']);
    await registry.whenStopped();
  });
});
