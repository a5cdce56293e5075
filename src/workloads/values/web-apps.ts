import type { ChartOverlay, ValuesContext } from './context.js';
import { wireUrls } from './context.js';
import { at, isTree, type Tree } from './tree.js';

/**
 * webapp, team-settings and account-pages (FACTS 5.3): where the backend is, and the CSP. Every
 * `CSP_EXTRA_*` of the example is set to the domain's wildcard (connect-src also for wss), or
 * the browser blocks the backend's names and the webapp stays blank (FACTS 8.1 Web).
 */
const CSP_ALWAYS = ['CSP_EXTRA_CONNECT_SRC', 'CSP_EXTRA_IMG_SRC', 'CSP_EXTRA_SCRIPT_SRC'];

function cspVariables(example: Tree, domain: string): Tree {
  const envVars = at(example, 'envVars');
  const named = isTree(envVars) ? Object.keys(envVars).filter((key) => key.startsWith('CSP_EXTRA_')) : [];
  const keys = [...new Set([...CSP_ALWAYS, ...named])].sort();
  return Object.fromEntries(
    keys.map((key) => [
      key,
      key === 'CSP_EXTRA_CONNECT_SRC' ? `https://*.${domain}, wss://*.${domain}` : `https://*.${domain}`,
    ]),
  );
}

function webApp(context: ValuesContext, appHost: string, extra: Tree = {}): Tree {
  const { domain } = context.inventory;
  const url = wireUrls(domain);
  return {
    config: {
      externalUrls: {
        backendRest: `nginz-https.${domain}`,
        backendWebsocket: `nginz-ssl.${domain}`,
        backendDomain: domain,
        appHost,
        ...extra,
      },
    },
    envVars: {
      URL_ACCOUNT_BASE: url.account,
      URL_TEAMS_BASE: url.teams,
      URL_WEBAPP_BASE: url.webapp,
      ...cspVariables(context.example, domain),
    },
  };
}

export function webapp(context: ValuesContext): ChartOverlay {
  const { domain } = context.inventory;
  return {
    values: webApp(context, `webapp.${domain}`, { backendTeamSettings: `teams.${domain}` }),
    secrets: undefined,
  };
}

export function accountPages(context: ValuesContext): ChartOverlay {
  return { values: webApp(context, `account.${context.inventory.domain}`), secrets: undefined };
}

/** team-settings also wants a configJson secret; Wire's is base64 of `{}` (FACTS 5.3). */
export function teamSettings(context: ValuesContext): ChartOverlay {
  const values = webApp(context, `teams.${context.inventory.domain}`);
  return {
    values: { ...values, envVars: { ...(values.envVars as Tree), IS_SELF_HOSTED: 'true' } },
    secrets: { secrets: { configJson: 'e30K' } },
  };
}
