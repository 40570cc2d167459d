/**
 * Real signals, in a child process: SIGINT and SIGTERM stop the runnables and close the server,
 * then the process exits by the signal (the registry re-raises it once everything stopped).
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures/signalApp.ts');

async function runUntilSignal(
  signal: NodeJS.Signals,
): Promise<{ lines: string[]; code: number | null; signal: string | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buffer = '';
  let port: number | undefined;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      const ready = /^ready (\d+)$/.exec(line);
      if (ready) {
        port = Number(ready[1]);
        void fetch(`http://127.0.0.1:${port}/`)
          .then((r) => r.text())
          .then((body) => {
            lines.push(`served ${body}`);
            child.kill(signal);
          });
      }
    }
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, exitSignal) => resolve({ lines, code, signal: exitSignal }));
  });
}

describe('signals', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s stops the runnables, closes the server, and exits by the signal',
    async (signal) => {
      const { lines, code, signal: exitSignal } = await runUntilSignal(signal);
      expect(lines[0]).toMatch(/^ready \d+$/);
      expect(lines).toContain('served ok');
      expect(lines).toContain('work unsubscribed');
      const report = lines.find((l) => l.startsWith('report '));
      expect(report).toBeDefined();
      expect(JSON.parse(report!.slice('report '.length))).toEqual({
        reason: signal,
        clean: true,
        stopped: ['work', 'http-server'],
        failed: [],
        timedOut: [],
      });
      expect(exitSignal).toBe(signal);
      expect(code).toBeNull();
    },
  );
});
