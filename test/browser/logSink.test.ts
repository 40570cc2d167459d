/**
 * The core logger's default sink is chosen at run time, without importing a Node module:
 * `process.stderr` where the host has a Node-like process, `console.error` elsewhere.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBus, NodeStarted } from '../../src/bus/index.js';
import { enableDefaultLogger } from '../../src/logging/index.js';
import { type LogSink, consoleLogSink, defaultLogSink, hostProcess } from '../../src/logging/sink.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('defaultLogSink', () => {
  it("is the host process's stderr when there is one", () => {
    const stderr: LogSink = { write: (_chunk, callback) => callback() };
    expect(defaultLogSink({ stderr })).toBe(stderr);
    expect(defaultLogSink(hostProcess())).toBe(process.stderr);
  });

  it('is console.error without a process (a browser), or when its stderr cannot write', () => {
    expect(defaultLogSink(undefined)).toBe(consoleLogSink);
    expect(defaultLogSink({ env: {} })).toBe(consoleLogSink);
    expect(defaultLogSink({ stderr: {} as LogSink })).toBe(consoleLogSink);
  });

  it('console.error gets one call per line, without its newline, and the write is acknowledged', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const done = vi.fn();
    consoleLogSink.write('{"type":"NodeStarted"}\n', done);
    expect(error.mock.calls).toEqual([['{"type":"NodeStarted"}']]);
    expect(done).toHaveBeenCalledOnce();
  });

  it('enableDefaultLogger writes to the given sink, one line an event', async () => {
    const lines: string[] = [];
    const bus = new EventBus();
    const sink: LogSink = {
      write: (chunk, callback) => {
        lines.push(chunk);
        callback();
      },
    };
    const handle = enableDefaultLogger(bus, { stream: sink, clock: () => 0 });
    bus.emit(new NodeStarted({ baseUrl: 'http://127.0.0.1:7465' }));
    await bus.drain();
    handle.stop();
    expect(lines).toEqual([
      '{"time":"1970-01-01T00:00:00.000Z","type":"NodeStarted","node":{"baseUrl":"http://127.0.0.1:7465"}}\n',
    ]);
  });
});
