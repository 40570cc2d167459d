/**
 * The offers of the simulated providers, indexed for matching: by subnet (the demand's
 * `(golem.node.debug.subnet=…)` term picks one bucket), by provider id and name. Offer
 * constraints are parsed once at startup; a demand's constraints once per subscription.
 */
import type { Properties } from 'golem-rx';
import type { SimulatedProvider } from '../providers/types.js';
import { evaluate, matchDemandOffer, type Constraint } from './constraints.js';

const SUBNET = 'golem.node.debug.subnet';

/** The offer side of the market. */
export class OfferIndex {
  private readonly bySubnet = new Map<string, SimulatedProvider[]>();
  private readonly byId = new Map<string, SimulatedProvider>();

  constructor(readonly providers: readonly SimulatedProvider[]) {
    for (const p of providers) {
      const bucket = this.bySubnet.get(p.subnet);
      if (bucket === undefined) this.bySubnet.set(p.subnet, [p]);
      else bucket.push(p);
      this.byId.set(p.id, p);
    }
  }

  /** A provider by NodeId. */
  provider(id: string): SimulatedProvider | undefined {
    return this.byId.get(id);
  }

  /** The offers matching a demand both ways (§6.4), in provider order. */
  match(demand: {
    readonly properties: Readonly<Properties>;
    readonly parsed: Constraint;
  }): SimulatedProvider[] {
    const out: SimulatedProvider[] = [];
    const side = { properties: demand.properties, constraints: demand.parsed };
    for (const p of this.candidates(demand.parsed)) {
      if (matchDemandOffer(side, { properties: p.properties, constraints: p.parsedConstraints })) out.push(p);
    }
    return out;
  }

  /** The offers whose properties satisfy `constraints` (one way, as a market scan does). */
  scan(constraints: Constraint): SimulatedProvider[] {
    return this.candidates(constraints).filter((p) => evaluate(constraints, p.properties));
  }

  private candidates(constraints: Constraint): readonly SimulatedProvider[] {
    const subnet = requiredSubnet(constraints);
    return subnet === undefined ? this.providers : (this.bySubnet.get(subnet) ?? []);
  }
}

/** The subnet a constraint pins with a top-level `(golem.node.debug.subnet=<literal>)`, if any. */
function requiredSubnet(c: Constraint): string | undefined {
  if (c.kind === 'compare') {
    const exact =
      c.property.name === SUBNET &&
      c.property.aspect === undefined &&
      c.property.impliedType === undefined &&
      c.op === '=' &&
      c.value.wildcard === undefined &&
      c.value.list === undefined &&
      c.value.version === undefined &&
      c.value.instant === undefined;
    return exact ? c.value.text : undefined;
  }
  if (c.kind === 'and') {
    for (const child of c.children) {
      const subnet = requiredSubnet(child);
      if (subnet !== undefined) return subnet;
    }
  }
  return undefined;
}
