/**
 * `GET /demandDecorations` (REQUESTOR-GUIDE §5.7): what a requestor merges into its demand so that
 * providers on its allocations' platforms match it.
 */
import type { AllocationDto, MarketDecorationDto } from 'golem-rx';

/**
 * One `golem.com.payment.platform.<platform>.address` property per allocation (deduplicated) and
 * the protocol version `"3"`; the constraints require one of those platforms (a multi-line OR
 * clause when there are several) and protocol version `>1` (`>2` when an allocation has a deposit).
 */
export function demandDecoration(allocations: readonly AllocationDto[]): MarketDecorationDto {
  const properties: MarketDecorationDto['properties'] = [];
  const platformClauses: string[] = [];
  for (const a of allocations) {
    const key = `golem.com.payment.platform.${a.paymentPlatform}.address`;
    if (!properties.some((p) => p.key === key && p.value === a.address))
      properties.push({ key, value: a.address });
    const clause = `(${key}=*)`;
    if (!platformClauses.includes(clause)) platformClauses.push(clause);
  }
  properties.push({ key: 'golem.com.payment.protocol.version', value: '3' });
  const platformConstraint =
    platformClauses.length === 1
      ? (platformClauses[0] as string)
      : `(|\n  ${platformClauses.join('\n  ')}\n)`;
  const depositVersion = allocations.some((a) => a.deposit !== undefined) ? 2 : 1;
  return {
    properties,
    constraints: [platformConstraint, `(golem.com.payment.protocol.version>${depositVersion})`],
  };
}
