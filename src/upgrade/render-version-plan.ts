import type { VersionPlan } from './version-path.js';
import { type FederationScope, VERSION_NOTES } from './versions.js';

/**
 * The version part of `upgrade --plan`, for people (lines) and for --json (one record). Every
 * version passed is named, those without notes too, so nobody wonders whether one was
 * forgotten; the automatic changes say what wire-install does, the actions what the operator
 * must do by hand (docs/wire/upgrades.md#version-notes).
 */

export function versionPlanLines(plan: VersionPlan): string[] {
  const federation = plan.federation ? 'federation on' : 'federation off';
  const lines = [`wire-server ${plan.from} -> ${plan.to} (${federation})`];
  if (plan.refused) {
    lines.push(`  refused: ${plan.refused.version}: ${plan.refused.reason}`, `  next: ${plan.refused.next}`);
    return lines;
  }
  if (plan.nothingToUpgrade) {
    lines.push('  nothing to upgrade: the bundle has the installed version');
    return lines;
  }
  lines.push(`  versions passed: ${plan.versions.join(', ') || '(a patch release of the same version)'}`);
  for (const skipped of plan.skipped) lines.push(`  skipped ${skipped.version}: ${skipped.reason}`);
  for (const version of plan.versions) {
    const notes = plan.notes.find((entry) => entry.version === version);
    if (!notes) {
      lines.push('', `${version}: no upgrade notes known`);
      continue;
    }
    lines.push('', `${version}:${notes.skipped ? ' (skipped, but its lasting changes still apply)' : ''}`);
    for (const change of notes.automatic)
      lines.push(`  automatic: ${change.change}`, `    done by: ${change.doneBy}`);
    for (const action of notes.actions)
      lines.push(`  action${action.optional ? ' (optional)' : ''}: ${action.what}`, `    why: ${action.why}`);
    for (const notice of notes.notices) lines.push(`  notice: ${notice}`);
  }
  const actions = plan.notes.flatMap((entry) => entry.actions.filter((action) => !action.optional));
  lines.push(
    '',
    `${actions.length} required action(s) to do by hand before or after the upgrade, as noted above`,
  );
  return lines;
}

export function versionPlanRecord(plan: VersionPlan): Record<string, unknown> {
  return {
    type: 'upgrade-versions',
    from: plan.from,
    to: plan.to,
    federation: plan.federation,
    nothingToUpgrade: plan.nothingToUpgrade,
    versions: plan.versions,
    skipped: plan.skipped,
    notes: plan.notes,
    ...(plan.refused ? { refused: plan.refused } : {}),
  };
}

/**
 * The notes as a Markdown table, for docs/upgrade.md: the page carries this table verbatim and a
 * test compares them, so the page cannot drift from the data.
 */
export function versionNotesTable(): string {
  const cell = (items: readonly string[]) => items.join('; ') || '-';
  const scope = (onlyWhen: FederationScope | undefined) =>
    onlyWhen === undefined ? '' : onlyWhen === 'federated' ? ' (federated only)' : ' (not federated only)';
  const rows = VERSION_NOTES.map((notes) => {
    const broken = notes.broken
      ? notes.broken.scope === 'federated'
        ? 'for federated installs'
        : 'for every install'
      : '-';
    const automatic = notes.automatic.map((change) => `${change.change}${scope(change.onlyWhen)}`);
    const actions = notes.actions.map(
      (action) => `${action.optional ? '(optional) ' : ''}${action.what}${scope(action.onlyWhen)}`,
    );
    return `| ${notes.version} | ${broken} | ${cell(automatic)} | ${cell(actions)} |`;
  });
  return ['| version | broken | wire-install does it | by hand |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}
