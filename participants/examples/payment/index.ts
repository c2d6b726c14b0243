export {
  authorizationIdOf,
  PAYMENT_PARTICIPANT,
  paymentParticipant,
  startPaymentParticipant,
  type PaymentConfig,
} from './payment-participant.js';
export {
  checkPaymentInvariants,
  readPayment,
  seedPayment,
  type LiveAuthorization,
  type PaymentLogEntry,
  type PaymentSeed,
  type PaymentSnapshot,
} from './payment-state.js';
export { DEFAULT_LIMIT_FIELD, paymentKeys, type PaymentKeys } from './payment-keys.js';
