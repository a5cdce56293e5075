import type { ChartOverlay, ValuesContext } from './context.js';
import { wireUrls } from './context.js';
import { at, isTree, removed, type Tree } from './tree.js';

/**
 * webapp, team-settings and account-pages (docs/wire/charts-values-secrets.md): where the
 * backend is, the links the apps show, and the CSP. Every `CSP_EXTRA_*` of the example is set
 * to the domain's wildcard (connect-src also for wss), or the browser blocks the backend's
 * names and the webapp stays blank.
 */
const CSP_ALWAYS = ['CSP_EXTRA_CONNECT_SRC', 'CSP_EXTRA_IMG_SRC', 'CSP_EXTRA_SCRIPT_SRC'];

/**
 * Links to the operator's own website, support and legal pages, which Wire's examples leave
 * at www.example.com. wire-install has no inventory key for them yet, so they point where
 * Wire's own clients and e-mails point (the e-mail branding of Wire's example values:
 * wire.com, support.wire.com, wire.com/legal/).
 */
const WIRE_PAGES = {
  website: 'https://wire.com',
  websiteLabel: 'wire.com',
  support: 'https://support.wire.com',
  legal: 'https://wire.com/legal/',
  company: 'Wire',
};

/** The value of each environment variable Wire's examples give the apps, from the domain. */
function appVariables(domain: string): Record<string, string> {
  const url = wireUrls(domain);
  return {
    URL_ACCOUNT_BASE: url.account,
    URL_TEAMS_BASE: url.teams,
    URL_TEAMS_CREATE: url.teams,
    URL_WEBAPP_BASE: url.webapp,
    URL_WEBSITE_BASE: WIRE_PAGES.website,
    WEBSITE_LABEL: WIRE_PAGES.websiteLabel,
    URL_SUPPORT_BASE: WIRE_PAGES.support,
    URL_PRIVACY_POLICY: WIRE_PAGES.legal,
    URL_TERMS_OF_USE_PERSONAL: WIRE_PAGES.legal,
    URL_TERMS_OF_USE_TEAMS: WIRE_PAGES.legal,
    COMPANY_NAME: WIRE_PAGES.company,
  };
}

/**
 * The example's environment variables that wire-install fills (its links and CSP), each set
 * from the domain; the rest (feature switches) stay as the example has them. A bundle without
 * an example gets `fallback`: what the app cannot work without.
 */
function envVars(example: Tree, domain: string, fallback: readonly string[]): Tree {
  const given = at(example, 'envVars');
  const named = isTree(given) ? Object.keys(given) : [...fallback];
  const variables = appVariables(domain);
  const links = named.filter((key) => key in variables).map((key) => [key, variables[key]]);
  const csp = [...new Set([...CSP_ALWAYS, ...named.filter((key) => key.startsWith('CSP_EXTRA_'))])]
    .sort()
    .map((key) => [
      key,
      key === 'CSP_EXTRA_CONNECT_SRC' ? `https://*.${domain}, wss://*.${domain}` : `https://*.${domain}`,
    ]);
  return Object.fromEntries([...links, ...csp]);
}

function backend(domain: string) {
  return {
    backendRest: `nginz-https.${domain}`,
    backendWebsocket: `nginz-ssl.${domain}`,
    backendDomain: domain,
  };
}

export function webapp(context: ValuesContext): ChartOverlay {
  const { domain } = context.inventory;
  return {
    values: {
      config: {
        externalUrls: {
          ...backend(domain),
          backendTeamSettings: `teams.${domain}`,
          appHost: `webapp.${domain}`,
        },
      },
      envVars: envVars(context.example, domain, ['URL_ACCOUNT_BASE', 'URL_TEAMS_BASE', 'URL_WEBAPP_BASE']),
    },
    secrets: undefined,
  };
}

/**
 * account-pages reads only the REST backend and its own host: backendDomain, which Wire's
 * example sets to example.com, is read by no version of the chart wire-install has met
 * (0.9.0-pre.49), so it is taken out rather than filled.
 */
export function accountPages(context: ValuesContext): ChartOverlay {
  const { domain } = context.inventory;
  return {
    values: {
      config: {
        externalUrls: {
          backendRest: backend(domain).backendRest,
          backendDomain: removed('account-pages does not read it; Wire example leaves example.com there'),
          appHost: `account.${domain}`,
        },
      },
      envVars: envVars(context.example, domain, ['URL_TEAMS_BASE', 'URL_WEBAPP_BASE']),
    },
    secrets: undefined,
  };
}

/** team-settings also wants a configJson secret; Wire's is base64 of `{}` (the container is pre-seeded). */
export function teamSettings(context: ValuesContext): ChartOverlay {
  const { domain } = context.inventory;
  return {
    values: {
      config: { externalUrls: { ...backend(domain), appHost: `teams.${domain}` } },
      envVars: {
        ...envVars(context.example, domain, ['URL_ACCOUNT_BASE', 'URL_WEBAPP_BASE']),
        IS_SELF_HOSTED: 'true',
      },
    },
    secrets: { secrets: { configJson: 'e30K' } },
  };
}
