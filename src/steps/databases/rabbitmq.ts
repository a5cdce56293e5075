import { PRODUCTION_ONLY, type StepDefinition } from '../types.js';

/** RabbitMQ cluster (Wire's rabbitmq.yml; mandatory for cannon and gundeck since 5.8, docs/wire/upgrades.md#version-notes). */
export const rabbitmqSteps: readonly StepDefinition[] = [
  {
    id: 'databases.rabbitmq-install',
    stage: 'databases',
    title: 'Install RabbitMQ with the shared Erlang cookie; start nodes one by one',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['rabbitmq'] },
    // One at a time: each node's first start finds the nodes before it and joins their cluster.
    order: 'serial',
    why: "Cluster nodes share one Erlang cookie; Wire's role hard-codes one, wire-install generates it",
  },
  {
    id: 'databases.rabbitmq-cluster',
    stage: 'databases',
    title: 'Join any node not yet in the cluster to the first, one at a time',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['rabbitmq'] },
    order: 'after-first-serial',
    why: 'rabbitmq_cluster_master is one of the rmq hostnames; the others join it',
  },
  {
    id: 'databases.rabbitmq-health',
    stage: 'databases',
    title: 'Check RabbitMQ: every node running in one cluster',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['rabbitmq'] },
    order: 'first-host-only',
    why: 'brig, cannon, gundeck and background-worker need the cluster',
  },
];
