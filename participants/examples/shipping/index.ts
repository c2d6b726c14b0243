export {
  CARRIER_UNAVAILABLE,
  shipmentIdOf,
  SHIPPING_PARTICIPANT,
  shippingParticipant,
  startShippingParticipant,
  type ShippingBehaviour,
  type ShippingConfig,
} from './shipping-participant.js';
export {
  checkShippingInvariants,
  readShipping,
  type ShipmentLogEntry,
  type ShippingSnapshot,
} from './shipping-state.js';
export { deterministicFraction } from './deterministic-fraction.js';
export { shippingKeys, type ShippingKeys } from './shipping-keys.js';
