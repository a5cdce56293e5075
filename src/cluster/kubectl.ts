import { shellQuote } from '../hosts/become.js';

/**
 * kubectl on the admin host with the admin kubeconfig: the one command line apply's steps,
 * doctor and upgrade use to reach the cluster (kubectl is the one on the admin host's PATH, or
 * WIRE_INSTALL_KUBECTL: src/tools).
 */
export const kubectl = (kubeconfigPath: string, args: string) =>
  `kubectl --kubeconfig ${shellQuote(kubeconfigPath)} ${args}`;
