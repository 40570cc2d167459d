import { type Observable, of } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import type { ActivityPort, AgreementPort, DeployArgs } from '../../src/ports/index.js';
import { createActivity } from '../../src/operators/index.js';
import type { Network } from '../../src/network/Network.js';
import type { NetworkDeployArgs } from '../../src/network/members.js';
import type { Activity } from '../../src/resources/Activity.js';
import type { Agreement } from '../../src/resources/Agreement.js';

declare const agreements$: Observable<Agreement>;
declare const network: Network;

describe('deploy arguments through the ports', () => {
  it('keeps the port contract: an activity whose deployAndStart takes no arguments is still an ActivityPort', () => {
    const legacy = {
      id: 'x',
      agreement: {} as AgreementPort,
      deployAndStart: (): Observable<void> => of(undefined),
      destroy: (): Observable<void> => of(undefined),
    };
    expectTypeOf(legacy).toExtend<ActivityPort>();
    expectTypeOf<ActivityPort['deployAndStart']>().parameters.toEqualTypeOf<[args?: DeployArgs]>();
  });

  it("takes a network's deploy arguments where the port does, and infers the agreement in createActivity({ deploy })", () => {
    expectTypeOf<NetworkDeployArgs>().toExtend<DeployArgs>();
    expectTypeOf<Activity['deployAndStart']>().toBeCallableWith(network.deployArgs('0x1'));
    const activities$ = agreements$.pipe(
      createActivity({
        deploy: (agreement) => {
          expectTypeOf(agreement).toEqualTypeOf<Agreement>();
          return network.join(agreement);
        },
      }),
    );
    expectTypeOf(activities$).toEqualTypeOf<Observable<Activity>>();
    // @ts-expect-error deploy gives deploy arguments, not anything
    createActivity({ deploy: () => 42 });
  });
});
