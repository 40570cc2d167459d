/**
 * The Golem market's constraint language for devnet: parse, evaluate, match both ways, and
 * flatten nested property objects. The semantics are documented on `evaluate`.
 */
export {
  parseConstraints,
  parseValue,
  type Constraint,
  type ConstraintOperator,
  type ImpliedType,
  type ParsedValue,
  type PropertyRef,
} from './constraintsParser.js';
export { evaluate, evaluateTernary, matchDemandOffer, type DemandOfferLike } from './constraintsEval.js';
export { flattenProperties } from './properties.js';
export {
  ConstraintSyntaxError,
  isConstraintSyntaxError,
  type ConstraintSyntaxErrorContext,
  type ConstraintSyntaxErrorKind,
} from './constraintsSyntaxError.js';
