/**
 * connectNats against a real nats-server: options refused before anything is sent, the token and
 * seed kept out of every error, health reported through a server restart, a missing server typed.
 */
import { firstValueFrom, filter, toArray, take } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type NatsLink, connectNats, isNatsConnectionError, maskSecrets, maskServerUrl } from 'golem-rx/nats';
import { type NatsServerHandle, hasNatsServer, startNatsServer } from './natsServer.js';

describe('NATS options and masking', () => {
  it('refuses bad options with RangeError before connecting', async () => {
    await expect(connectNats({ servers: [] })).rejects.toThrow(RangeError);
    await expect(connectNats({ servers: 'nats://127.0.0.1:1', nkeySeed: 'UABC' })).rejects.toThrow(/seed/);
    await expect(connectNats({ servers: 'nats://127.0.0.1:1', timeoutMs: 0 })).rejects.toThrow(RangeError);
  });

  it('masks URL user info and the secrets given', () => {
    expect(maskServerUrl('nats://alice:pw@h:4222')).toBe('nats://***@h:4222');
    expect(maskServerUrl('nats://h:4222')).toBe('nats://h:4222');
    expect(maskSecrets('token tk-1 at tls://u:p@h', ['tk-1', undefined, ''])).toBe(
      'token *** at tls://***@h',
    );
  });
});

describe.skipIf(!hasNatsServer)('connectNats on nats-server', () => {
  let server: NatsServerHandle | undefined;
  let link: NatsLink | undefined;
  afterEach(async () => {
    await link?.close();
    link = undefined;
    await server?.stop();
    server = undefined;
  });

  it('fails typed, without the token, when the token is wrong', async () => {
    server = await startNatsServer({ token: 'right-token-123' });
    const failure: unknown = await connectNats({
      servers: server.url,
      token: 'wrong-token-456',
      reconnect: false,
    }).catch((err: unknown) => err);
    expect(isNatsConnectionError(failure)).toBe(true);
    const error = failure as Error & { operation: string; cause: Error };
    expect(error.operation).toBe('auth');
    expect(`${error.message} ${error.cause.message} ${JSON.stringify(error)}`).not.toContain(
      'wrong-token-456',
    );
  });

  it('fails typed with operation connect when nothing listens', async () => {
    server = await startNatsServer();
    const url = server.url;
    await server.stop();
    server = undefined;
    const failure: unknown = await connectNats({ servers: url, reconnect: false, timeoutMs: 1000 }).catch(
      (e: unknown) => e,
    );
    expect(isNatsConnectionError(failure)).toBe(true);
    expect((failure as { operation: string }).operation).toBe('connect');
  });

  it('reports unreachable, then recovered, across a server restart; closed at close()', async () => {
    server = await startNatsServer({ token: 'tk-restart' });
    link = await connectNats({ servers: server.url, token: 'tk-restart', reconnectTimeWaitMs: 50 });
    const recovered = firstValueFrom(link.health$.pipe(filter((h) => h.kind === 'recovered')));
    const seen = firstValueFrom(link.health$.pipe(take(1)));
    await server.kill();
    expect((await seen).kind).toBe('unreachable');
    await server.restart();
    const back = await recovered;
    expect(back.downtimeMs).toBeGreaterThanOrEqual(0);
    const rest = firstValueFrom(
      link.health$.pipe(
        filter((h) => h.kind === 'closed'),
        toArray(),
      ),
    );
    await link.close();
    expect(await rest).toEqual([{ kind: 'closed' }]);
  });
});
