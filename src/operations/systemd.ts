import { shellQuote } from '../hosts/become.js';
import { runOrFail } from './run.js';
import type { Operation, OperationContext, OperationOutcome } from './types.js';

/**
 * A systemd unit enabled and running (or not), reloaded and restarted when what it reads changed.
 * A restart is due when a watched file changed in this step (context.changedPaths, filled in check
 * mode too, so the plan shows it) or when a watched file is newer than the moment the unit last
 * became active. The second rule makes the restart idempotent by construction: a run that wrote
 * the configuration and then failed before restarting still restarts on the next run. Times are
 * compared in microseconds (`date -r`, ActiveEnterTimestamp with --timestamp=us+utc where systemd
 * has it), so a file written in the same second just before a restart does not restart it again.
 */
export interface SystemdUnitSpec {
  /** Full unit name, e.g. "wil-hello.service". */
  unit: string;
  enabled: boolean;
  running: boolean;
  /** Files the unit reads: a change to one restarts it. */
  restartWhenChanged?: string[];
}

interface UnitState {
  loadState: string;
  activeState: string;
  unitFileState: string;
  needDaemonReload: boolean;
  /** Unit file and drop-ins (as systemd found them): a change to one in this step needs a daemon-reload. */
  files: string[];
  /** Microseconds since the epoch; 0 when never active. */
  activeSince: number;
  /** Watched path -> mtime in microseconds, for the files that exist. */
  mtimes: Map<string, number>;
  /** systemd checked the unit's conditions and one failed (e.g. ConditionCapability in a container). */
  conditionFailed: boolean;
}

async function inspect(context: OperationContext, spec: SystemdUnitSpec): Promise<UnitState> {
  const unit = shellQuote(spec.unit);
  const script = [
    `systemctl show -p LoadState -p ActiveState -p UnitFileState -p NeedDaemonReload -p FragmentPath -p DropInPaths -p ConditionResult -p ConditionTimestamp ${unit}`,
    `ts=$(systemctl show -p ActiveEnterTimestamp --value --timestamp=us+utc ${unit} 2>/dev/null || systemctl show -p ActiveEnterTimestamp --value ${unit})`,
    'if [ -n "$ts" ]; then echo "ActiveSince=$(date -d "$ts" +%s%6N)"; else echo ActiveSince=0; fi',
    ...(spec.restartWhenChanged ?? []).map(
      (path) => `[ -e ${shellQuote(path)} ] && echo "mtime $(date -r ${shellQuote(path)} +%s%6N) ${path}"`,
    ),
    'true',
  ].join('\n');
  const result = await runOrFail(context.host, `inspecting ${spec.unit}`, `sh -c ${shellQuote(script)}`);
  const values = new Map<string, string>();
  const mtimes = new Map<string, number>();
  for (const line of result.stdout.split('\n')) {
    const mtime = /^mtime (\d+) (.*)$/.exec(line);
    if (mtime?.[1] && mtime[2]) mtimes.set(mtime[2], Number(mtime[1]));
    else if (line.includes('='))
      values.set(line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1));
  }
  return {
    loadState: values.get('LoadState') ?? '',
    activeState: values.get('ActiveState') ?? '',
    unitFileState: values.get('UnitFileState') ?? '',
    needDaemonReload: values.get('NeedDaemonReload') === 'yes',
    files: [values.get('FragmentPath') ?? '', ...(values.get('DropInPaths') ?? '').split(' ')].filter(
      Boolean,
    ),
    activeSince: Number(values.get('ActiveSince') ?? 0),
    mtimes,
    conditionFailed:
      values.get('ConditionResult') === 'no' && (values.get('ConditionTimestamp') ?? '') !== '',
  };
}

/** Unit file states in which `systemctl enable` has nothing (or nothing possible) to do. */
const ENABLED = new Set(['enabled', 'enabled-runtime', 'static', 'generated', 'indirect', 'alias']);

interface Plan {
  reload: boolean;
  enable?: 'enable' | 'disable';
  start?: 'start' | 'stop' | 'restart';
  changes: string[];
}

function plan(spec: SystemdUnitSpec, state: UnitState, changedPaths: Set<string>): Plan {
  // By name too: in check mode a new unit file is not on disk yet, so systemd knows no path for it.
  const unitFile = (path: string) =>
    state.files.includes(path) || path.endsWith(`/${spec.unit}`) || path.includes(`/${spec.unit}.d/`);
  const reload = state.needDaemonReload || [...changedPaths].some(unitFile);
  const active = state.activeState === 'active' || state.activeState === 'reloading';
  const enabledNow = ENABLED.has(state.unitFileState);
  const result: Plan = { reload, changes: reload ? [`daemon-reload (${spec.unit} changed on disk)`] : [] };
  if (spec.enabled && !enabledNow) result.enable = 'enable';
  if (!spec.enabled && state.unitFileState === 'enabled') result.enable = 'disable';
  // A unit whose condition failed would only be skipped again: a note (conditionNote), not a change.
  if (spec.running && !active && !state.conditionFailed) result.start = 'start';
  if (!spec.running && active) result.start = 'stop';
  if (spec.running && active) {
    const why = (spec.restartWhenChanged ?? []).filter(
      (path) => changedPaths.has(path) || (state.mtimes.get(path) ?? 0) > state.activeSince,
    );
    if (why.length > 0) {
      result.start = 'restart';
      result.changes.push(`restart ${spec.unit} (${why.join(', ')} changed)`);
    }
  }
  if (result.enable) result.changes.push(`${result.enable} ${spec.unit}`);
  if (result.start && result.start !== 'restart') result.changes.push(`${result.start} ${spec.unit}`);
  return result;
}

export function systemdUnitOperation(spec: SystemdUnitSpec): Operation {
  const unit = shellQuote(spec.unit);
  return {
    kind: 'systemd-unit',
    target: spec.unit,
    inputs: { ...spec },
    async check(context): Promise<OperationOutcome> {
      const state = await inspect(context, spec);
      return { changes: plan(spec, state, context.changedPaths).changes, notes: conditionNote(spec, state) };
    },
    async apply(context): Promise<OperationOutcome> {
      const state = await inspect(context, spec);
      const todo = plan(spec, state, context.changedPaths);
      const run = (what: string, command: string) => runOrFail(context.host, what, command);
      if (todo.reload) await run('systemctl daemon-reload', 'systemctl daemon-reload');
      if (todo.enable) await run(`${todo.enable} ${spec.unit}`, `systemctl ${todo.enable} ${unit}`);
      if (todo.start)
        await runOrFail(context.host, `${todo.start} ${spec.unit}`, `systemctl ${todo.start} ${unit}`, {
          next: `see why: systemctl status ${spec.unit}; journalctl -u ${spec.unit} -n 50`,
        });
      const after = todo.start === 'start' ? await inspect(context, spec) : state;
      return { changes: todo.changes, notes: conditionNote(spec, after) };
    },
  };
}

/** A unit that should run but whose conditions do not hold on this host: said, not failed. */
function conditionNote(spec: SystemdUnitSpec, state: UnitState): string[] {
  if (!spec.running || !state.conditionFailed || state.activeState === 'active') return [];
  return [
    `${spec.unit} does not run here: a condition of its unit is not met on this host (see systemctl status ${spec.unit}; a container cannot set the clock, for example)`,
  ];
}
