import { rabbitmqClusterStep } from './cluster.js';
import { rabbitmqHealthStep } from './health.js';
import { rabbitmqInstallStep } from './install.js';

/** RabbitMQ cluster (Wire's rabbitmq.yml; mandatory for cannon and gundeck since 5.8, docs/wire/upgrades.md#version-notes). */
export const rabbitmqSteps = [rabbitmqInstallStep, rabbitmqClusterStep, rabbitmqHealthStep] as const;
