import type { Observable } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import type { BusResource, GolemEvent } from '../../src/bus/index.js';
import {
  EventBus,
  forResource,
  NewResource,
  NodeStarted,
  ofType,
  ResourceClosed,
  ResourceEvent,
  withIds,
} from '../../src/bus/index.js';

class Allocation implements BusResource {
  static readonly kind = 'Allocation';
  readonly kind = 'Allocation';
  constructor(readonly id: string) {}
}

describe('bus typing (checked by tsc)', () => {
  it('narrows through ofType, forResource and withIds', () => {
    const bus = new EventBus();
    expectTypeOf(bus.events$).toEqualTypeOf<Observable<GolemEvent>>();
    expectTypeOf(bus.events$.pipe(ofType(NewResource, ResourceClosed))).toEqualTypeOf<
      Observable<NewResource | ResourceClosed>
    >();
    expectTypeOf(bus.events$.pipe(ofType(ResourceEvent))).toEqualTypeOf<Observable<ResourceEvent>>();
    const allocations = bus.events$.pipe(ofType(NewResource), forResource(Allocation));
    expectTypeOf(allocations).toExtend<Observable<{ resource: Allocation }>>();
    expectTypeOf(bus.events$.pipe(withIds('a1'))).toExtend<Observable<ResourceEvent>>();
  });

  it('types listener callbacks from the classes they listen to', () => {
    const bus = new EventBus();
    bus.listen((e) => {
      expectTypeOf(e).toEqualTypeOf<GolemEvent>();
    });
    bus.listen(
      (e) => {
        expectTypeOf(e).toEqualTypeOf<NewResource | ResourceClosed>();
      },
      {
        classes: [NewResource, ResourceClosed],
      },
    );
    bus.resourceListen((e) => {
      expectTypeOf(e).toEqualTypeOf<ResourceEvent>();
    });
    // @ts-expect-error a listener returns nothing, a Promise or an Observable
    bus.listen(() => 42);
    // @ts-expect-error resourceListen takes resource event classes only
    bus.resourceListen(() => undefined, { eventClasses: [NodeStarted] });
  });
});
