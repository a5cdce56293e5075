import {
  type AutomaticChange,
  type FederationScope,
  NEWEST_KNOWN_VERSION,
  notesOf,
  type RequiredAction,
} from './versions.js';

/**
 * The versions an upgrade passes, from the installed wire-server chart version to the bundle's,
 * and what each asks (versions.ts). Wire's upgrade is one helm upgrade to the target, but the
 * changes of every version in between are cumulative (docs/wire/upgrades.md#plan-the-path). A version Wire declared broken
 * (docs/wire/upgrades.md#versions-to-skip) is skipped when it lies in between and refused as the target.
 */

export interface ChartVersion {
  major: number;
  minor: number;
  patch: number;
}

/** "5.28.0", "5.28" or "v5.28.0"; undefined for anything else (pre-release suffixes included: not a release). */
export function parseChartVersion(text: string): ChartVersion | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

/** Numeric, part by part: 5.9 < 5.10. */
export function compareVersions(a: ChartVersion, b: ChartVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

const minorText = (major: number, minor: number) => `${major}.${minor}`;

export interface VersionStepNotes {
  version: string;
  /** The upgrade goes past this version (it is broken for this install); its lasting changes still apply. */
  skipped: boolean;
  automatic: AutomaticChange[];
  actions: RequiredAction[];
  notices: string[];
}

export interface VersionRefusal {
  version: string;
  reason: string;
  next: string;
}

export interface VersionPlan {
  from: string;
  to: string;
  federation: boolean;
  /** Every minor version after `from` up to and including `to`, in order. */
  versions: string[];
  skipped: { version: string; reason: string }[];
  /** Only versions with notes, in order. */
  notes: VersionStepNotes[];
  refused?: VersionRefusal;
  /** from and to are the same version. */
  nothingToUpgrade: boolean;
}

function applies(onlyWhen: FederationScope | undefined, federation: boolean): boolean {
  if (onlyWhen === undefined) return true;
  return onlyWhen === 'federated' ? federation : !federation;
}

/** The reason a version is broken for this install, or undefined. */
export function brokenReason(version: string, federation: boolean): string | undefined {
  const broken = notesOf(version)?.broken;
  if (!broken) return undefined;
  if (broken.scope === 'federated' && !federation) return undefined;
  return broken.reason;
}

function plan(from: string, to: string, federation: boolean, refused?: VersionRefusal): VersionPlan {
  return {
    from,
    to,
    federation,
    versions: [],
    skipped: [],
    notes: [],
    nothingToUpgrade: false,
    ...(refused ? { refused } : {}),
  };
}

export function planVersions(from: string, to: string, options: { federation: boolean }): VersionPlan {
  const { federation } = options;
  const newest = parseChartVersion(NEWEST_KNOWN_VERSION) as ChartVersion;
  const parsedFrom = parseChartVersion(from);
  const parsedTo = parseChartVersion(to);
  for (const [text, parsed, which] of [
    [from, parsedFrom, 'installed'],
    [to, parsedTo, 'target'],
  ] as const) {
    if (!parsed)
      return plan(from, to, federation, {
        version: text,
        reason: `the ${which} version "${text}" is not a wire-server chart version (like 5.28.0)`,
        next:
          which === 'target'
            ? "check the new bundle's charts/wire-server/Chart.yaml"
            : 'check .wire-install/releases/wire-server.json and `helm list -A`',
      });
    if (parsed.major !== newest.major)
      return plan(from, to, federation, {
        version: text,
        reason: `the ${which} version ${text} is not a wire-server ${newest.major}.x chart; wire-install knows the upgrade notes of ${newest.major}.x only`,
        next: 'upgrade with the procedure Wire documents for that version',
      });
  }
  const a = parsedFrom as ChartVersion;
  const b = parsedTo as ChartVersion;
  if (b.minor > newest.minor)
    return plan(from, to, federation, {
      version: to,
      reason: `${to} is newer than ${NEWEST_KNOWN_VERSION}, the newest version whose upgrade notes this wire-install knows: it cannot tell whether a version in between is broken`,
      next: 'use a wire-install release that knows that version, or a bundle of 5.32 or older',
    });
  const order = compareVersions(b, a);
  if (order < 0)
    return plan(from, to, federation, {
      version: to,
      reason: `${to} is older than the installed ${from}: downgrades are not supported (schema migrations are forward-only)`,
      next: 'use the bundle of the installed version or a newer one; to go back, restore the backups of the upgrade',
    });
  if (order === 0) return { ...plan(from, to, federation), nothingToUpgrade: true };

  const targetMinor = minorText(b.major, b.minor);
  const targetBroken = brokenReason(targetMinor, federation);
  if (targetBroken)
    return plan(from, to, federation, {
      version: targetMinor,
      reason: targetBroken,
      next: `choose a bundle of the next version, ${minorText(b.major, b.minor + 1)} or newer`,
    });

  const result = plan(from, to, federation);
  for (let minor = a.minor + 1; minor <= b.minor; minor++) {
    const version = minorText(b.major, minor);
    result.versions.push(version);
    const reason = brokenReason(version, federation);
    if (reason) result.skipped.push({ version, reason });
    const notes = notesOf(version);
    if (!notes) continue;
    const step: VersionStepNotes = {
      version,
      skipped: reason !== undefined,
      automatic: notes.automatic.filter((item) => applies(item.onlyWhen, federation)),
      actions: notes.actions.filter((item) => applies(item.onlyWhen, federation)),
      notices: [...notes.notices],
    };
    if (step.automatic.length + step.actions.length + step.notices.length > 0) result.notes.push(step);
  }
  return result;
}
