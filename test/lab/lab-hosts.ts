import { readFileSync } from 'node:fs';

/** What the lab's global setup started: names, addresses, the client key and the host keys. */
export const LAB_RUN = '/run/wire-install-lab';
export const LAB_KEY = `${LAB_RUN}/id_ed25519`;
export const LAB_KNOWN_HOSTS = `${LAB_RUN}/known_hosts`;

export interface LabHost {
  name: string;
  address: string;
}

export function labHosts(): LabHost[] {
  return readFileSync(`${LAB_RUN}/hosts`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [name = '', address = ''] = line.split(' ');
      return { name, address };
    });
}
