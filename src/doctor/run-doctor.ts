import { setMaxListeners } from 'node:events';
import { join, relative, resolve } from 'node:path';
import type { CommandContext } from '../core/command-context.js';
import { ExitCode, isWireInstallError } from '../core/errors.js';
import { makeDirectory, readRegularFile } from '../core/safe-file.js';
import { parseYamlWithPositions } from '../core/yaml-positions.js';
import { newRunId } from '../engine/apply-run.js';
import type { ConnectedHosts } from '../engine/connect-hosts.js';
import { DebugLog } from '../engine/debug-log.js';
import { openConnections } from '../engine/open-connections.js';
import { createLimiter } from '../hosts/limiter.js';
import { localHost } from '../hosts/local-host.js';
import { loadInventoryFile } from '../inventory/load.js';
import { loadSecretsForRun, SECRETS_MAX_BYTES } from '../secrets/file.js';
import type { WireSecrets } from '../secrets/generate.js';
import { pemValues, redactDeep, secretValues } from '../secrets/redact.js';
import { STATE_DIR } from '../state/store.js';
import { adminToolsFor } from '../tools/admin-tools.js';
import { certificateKeyTexts } from '../workloads/values/certificate-files.js';
import { DOCTOR_CHECKS } from './checks/index.js';
import { readInstalledState } from './installed-state.js';
import { countResults, renderReport } from './report.js';
import { errorResult, skip } from './results.js';
import { redactKeyLike } from './support-bundle/key-patterns.js';
import { checkSupportBundleFile, writeSupportBundle } from './support-bundle.js';
import {
  type DoctorCheck,
  type DoctorContext,
  type DoctorFlags,
  type DoctorReport,
  type DoctorResult,
  selectGroups,
} from './types.js';

/** Checks run at once: each is mostly waiting on hosts or the network. */
const CHECK_CONCURRENCY = 8;

/**
 * The values of a secrets.yaml that does not load (a key missing, a wrong type): whatever YAML
 * it holds is still secret, and is hidden like a good file's values. Not YAML at all: nothing.
 */
async function looseSecretValues(path: string): Promise<string[]> {
  try {
    // With the limits of every YAML read (an alias bomb is refused here too, and hides nothing).
    const read = await readRegularFile(path, {
      role: 'the secrets file',
      maxBytes: SECRETS_MAX_BYTES,
      followLink: true,
    });
    const parsed = read ? parseYamlWithPositions(read.text, path).value : undefined;
    return secretValues(parsed as WireSecrets).filter((value) => value.length >= 6);
  } catch {
    return [];
  }
}

async function loadSecrets(path: string): Promise<{
  secrets: WireSecrets | undefined;
  error: string | undefined;
  /** The error's own lines: which key breaks which rule (never a value). */
  errorEvidence: string[];
  values: string[];
  missingKeys: string[];
}> {
  try {
    // An older file lacking keys this version needs: read as apply reads it (the keys made up
    // for this diagnosis only, the file untouched); local.secrets says apply adds them.
    const { secrets, added } = await loadSecretsForRun(path);
    return {
      secrets,
      error: undefined,
      errorEvidence: [],
      values: secrets ? secretValues(secrets) : [],
      missingKeys: added,
    };
  } catch (error) {
    // An unusable secrets.yaml is a finding of local.secrets, not the end of the diagnosis.
    const what = isWireInstallError(error)
      ? error.what
      : error instanceof Error
        ? error.message
        : String(error);
    return {
      secrets: undefined,
      error: what,
      errorEvidence: isWireInstallError(error) ? error.evidence : [],
      values: await looseSecretValues(path),
      missingKeys: [],
    };
  }
}

async function runCheck(check: DoctorCheck, context: DoctorContext): Promise<DoctorResult[]> {
  const reason = check.skipReason(context);
  if (reason !== undefined) return [skip(check.id, reason)];
  try {
    const results = await check.run(context);
    // A check with nothing to look at (e.g. every host unreachable) still shows in the report.
    return results.length > 0
      ? results
      : [skip(check.id, 'nothing to check: no connected host or item it applies to')];
  } catch (error) {
    return [errorResult(check.id, `${check.title} could not be checked`, error)];
  }
}

/**
 * One doctor run: load what is local (inventory, secrets.yaml, state), connect the inventory
 * hosts once when a selected check needs them (the same SSH code and trust store as apply), run
 * every selected check (a check that does not apply now is a skip with its reason; one that
 * throws is a fail naming why), redact, report, and exit 3 when anything failed. Changes
 * nothing, takes no lock: doctor may run beside an apply.
 */
export async function runDoctor(flags: DoctorFlags, command: CommandContext): Promise<number> {
  const { output, cwd, env, signal } = command;
  // A schema error is bad input (exit 2); Wire's rules are among the checks (local.inventory).
  const loaded = await loadInventoryFile(flags.inventory, cwd);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const groups = selectGroups(flags.only);
  // Every command a check runs listens on the one Ctrl-C signal (several per host at once).
  setMaxListeners(Math.max(50, loaded.inventory.hosts.length * 10), signal);
  // An unwritable --support-bundle is bad input before anything is read or contacted.
  if (flags.supportBundle) await checkSupportBundleFile(resolve(cwd, flags.supportBundle));
  const inventoryDir = loaded.baseDir;
  const stateDir = join(inventoryDir, STATE_DIR);
  const secretsPath = flags.secrets ? resolve(cwd, flags.secrets) : join(inventoryDir, 'secrets.yaml');
  const {
    secrets,
    error: secretsError,
    errorEvidence: secretsErrorEvidence,
    values: secretsValues,
    missingKeys: secretsMissingKeys,
  } = await loadSecrets(secretsPath);
  const hidden = [
    ...secretsValues,
    ...certificateKeyTexts(loaded.inventory, inventoryDir).flatMap(pemValues),
  ];
  await makeDirectory(stateDir, 'the state folder for the log of this diagnosis');
  const log = new DebugLog(join(stateDir, 'logs', `doctor-${newRunId()}.log`), hidden);
  const bundleRoot = loaded.inventory.bundle.path
    ? resolve(inventoryDir, loaded.inventory.bundle.path)
    : undefined;
  let connected: ConnectedHosts | undefined;
  try {
    // The same helm and kubectl apply would use (the release's, the bundle's, or PATH's).
    const tools = await adminToolsFor(loaded.inventory, inventoryDir, env);
    const admin = log.wrap(localHost({ env: tools.env }));
    const installed = await readInstalledState(loaded.inventory, inventoryDir, stateDir);
    const newHostKeys = new Map<string, string>();
    const context: DoctorContext = {
      inventory: loaded.inventory,
      inventoryDir,
      inventoryFile: relative(cwd, loaded.file) || loaded.file,
      secrets,
      secretsPath,
      secretsError,
      secretsErrorEvidence,
      secretsMissingKeys,
      hiddenValues: hidden,
      dnsServer: flags.dnsServer,
      bundleRoot,
      admin,
      adminTools: tools.choices,
      hosts: new Map(),
      facts: new Map(),
      unreachable: new Map(),
      newHostKeys,
      preflight: { allowUnsupportedOs: flags.allowUnsupportedOs, allowUndersized: flags.allowUndersized },
      installed,
      signal,
      env,
    };
    const checks = DOCTOR_CHECKS.filter((check) => groups.includes(check.group));
    // The support bundle carries every host's journals: it connects even for --only dns.
    const needsHosts =
      flags.supportBundle !== undefined ||
      checks.some((check) => check.needsHosts && check.skipReason(context) === undefined);
    if (needsHosts) {
      const hosts = loaded.inventory.hosts;
      output.errorLine(`doctor: connecting to ${hosts.length} host${hosts.length === 1 ? '' : 's'}...`);
      connected = await openConnections({
        hosts,
        inventoryDir,
        inventoryInput: loaded.input,
        stateDir,
        becomePassword: secrets?.ssh?.becomePassword,
        env,
        trustOnFirstUse: true,
        // A diagnosis does not vouch for a key: apply records it; doctor warns until then.
        recordFirstSeenKeys: false,
        concurrency: flags.concurrency,
        log,
        emit: (event) => {
          log.write(`event ${JSON.stringify(event)}`);
          if (event.type === 'host-key-trusted') newHostKeys.set(event.host, event.fingerprint);
        },
        output,
        signal,
      });
      context.hosts = connected.hosts;
      context.facts = connected.facts;
      context.unreachable = new Map(
        connected.failures.map((failure) => [
          failure.host,
          isWireInstallError(failure.error)
            ? [failure.error.what, ...failure.error.evidence].join('; ')
            : failure.error instanceof Error
              ? failure.error.message
              : String(failure.error),
        ]),
      );
    }
    output.errorLine(`doctor: running ${checks.length} checks (${groups.join(', ')})...`);
    const limit = createLimiter(CHECK_CONCURRENCY);
    const perCheck = await Promise.all(checks.map((check) => limit(() => runCheck(check, context))));
    // secrets.yaml's values, then whatever looks like a key in what hosts and pods printed
    // (log tails in the evidence may carry credentials secrets.yaml does not know).
    const results = redactDeep(perCheck.flat(), hidden).map((result) => ({
      ...result,
      evidence: result.evidence.map((line) => redactKeyLike(line).text),
    }));
    const report: DoctorReport = {
      version: 1,
      inventory: context.inventoryFile,
      domain: loaded.inventory.domain,
      startedAt,
      durationMs: Math.round(performance.now() - started),
      groups,
      counts: countResults(results),
      results,
    };
    log.write(`report ${JSON.stringify(report)}`);
    // The report first: a bundle that cannot be written (tar fails, the disk fills) must not
    // take the diagnosis with it.
    renderReport(report, output);
    if (flags.supportBundle) {
      const summary = await writeSupportBundle(resolve(cwd, flags.supportBundle), {
        context,
        report,
      });
      output.errorLine(
        `doctor: support bundle ${relative(cwd, summary.file) || summary.file} (${summary.entries} files, ${summary.bytes} bytes, ${summary.redactions} values redacted)`,
      );
    }
    return report.counts.fail > 0 ? ExitCode.problemsFound : ExitCode.ok;
  } finally {
    connected?.closeAll();
    log.close();
  }
}
