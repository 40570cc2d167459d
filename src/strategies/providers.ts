import type { OfferProposal } from '../ports/index.js';
import type { ProposalFilter } from './types.js';

/** The offer property holding a provider's name. */
const NAME = 'golem.node.id.name';

/** Node ids are hex: compared case-insensitively; names are compared as they are. */
const normalize = (id: string): string => (/^0x/i.test(id) ? id.toLowerCase() : id);

function matcher(idsOrNames: Iterable<string>): (proposal: OfferProposal) => boolean {
  const wanted = new Set<string>();
  for (const id of idsOrNames) wanted.add(normalize(id));
  return (proposal) => {
    const name = proposal.properties[NAME];
    return wanted.has(normalize(proposal.providerId)) || (typeof name === 'string' && wanted.has(name));
  };
}

/**
 * A filter that keeps only the proposals of the given providers, named by node id (`0x…`,
 * case-insensitive) or by name (`golem.node.id.name`, exact).
 *
 * @example
 * ```ts
 * proposals$.pipe(filter(allowProviders(['0x1234…', 'my-trusted-provider'])), score(byPrice), negotiate(2));
 * const strategy = keepIf(allowProviders(trusted))(leastExpensiveLinearPayu());
 * ```
 *
 * @see {@link blockProviders}
 */
export function allowProviders<P extends OfferProposal = OfferProposal>(
  idsOrNames: Iterable<string>,
): ProposalFilter<P> {
  const matches = matcher(idsOrNames);
  return (proposal) => matches(proposal);
}

/**
 * A filter that drops the proposals of the given providers, named by node id (`0x…`,
 * case-insensitive) or by name (`golem.node.id.name`, exact).
 *
 * @example
 * ```ts
 * const strategy = keepIf(blockProviders(['flaky-provider']))(dummyStrategy());
 * ```
 *
 * @see {@link allowProviders}
 */
export function blockProviders<P extends OfferProposal = OfferProposal>(
  idsOrNames: Iterable<string>,
): ProposalFilter<P> {
  const matches = matcher(idsOrNames);
  return (proposal) => !matches(proposal);
}
