import type { EngineStep } from '../../engine/types.js';
import type { Inventory } from '../../inventory/defaults.js';
import type { UpgradeStageOptions } from '../types.js';

/**
 * One backup step of the upgrade, or undefined when the inventory has no host for it: a demo
 * keeps its databases inside the cluster (databases-ephemeral), so it has no Cassandra,
 * PostgreSQL or RabbitMQ hosts to back up.
 */
export type BackupStepBuilder = (
  inventory: Inventory,
  inventoryDir: string,
  options: UpgradeStageOptions,
) => EngineStep | undefined;
