/** The test helper itself: a server starts, a client speaks to it, a restart keeps the store. */
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type NatsServerHandle,
  hasNatsServer,
  missingNatsServer,
  natsServerRequired,
  startNatsServer,
} from './natsServer.js';

describe.runIf(!hasNatsServer && natsServerRequired)('nats-server in CI', () => {
  it('is installed (CI=true: .ci/run installs it)', () => {
    expect.fail(missingNatsServer);
  });
});

describe.skipIf(!hasNatsServer)('the nats-server test helper', () => {
  let server: NatsServerHandle | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it('starts JetStream on loopback, and a stream survives a restart', async () => {
    server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'probe', subjects: ['probe.>'] });
    await nc.close();
    await server.restart();
    const again = await connect({ servers: server.url });
    const names = await (await jetstreamManager(again)).streams.names().next();
    expect(names).toContain('probe');
    await again.close();
  });

  it('refuses a client without the token it was started with', async () => {
    server = await startNatsServer({ token: 's3cret-token' });
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow();
    const nc = await connect({ servers: server.url, token: 's3cret-token' });
    expect(nc.isClosed()).toBe(false);
    await nc.close();
  });
});
