export {
  INVENTORY_PARTICIPANT,
  inventoryParticipant,
  reservationIdOf,
  startInventoryParticipant,
  type InventoryConfig,
} from './inventory-participant.js';
export {
  checkInventoryInvariants,
  readInventory,
  seedInventory,
  type InventorySeed,
  type InventorySnapshot,
} from './inventory-state.js';
export { inventoryKeys, type InventoryKeys } from './inventory-keys.js';
