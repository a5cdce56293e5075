import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyProbe,
  parseProbeOutput,
  probeFrom,
  probeScript,
} from '../../../src/doctor/checks/tcp-probes.js';
import { localHost } from '../../../src/hosts/local-host.js';

/**
 * The probes the network checks run on a host: bash's /dev/tcp under timeout, all of a host's
 * probes in one script. The outcomes are read from real runs on this machine (a listener on
 * 127.0.0.1, a port nobody listens on); a DROPped port needs a firewall rule, which unit tests do not touch,
 * so the timed-out case is read from the line bash and timeout print (the lab test drops a port
 * for real, test/lab/doctor-hosts.test.ts).
 */

let server: Server;
let openPort = 0;
let closedPort = 0;

const listen = () =>
  new Promise<Server>((resolve) => {
    const listener = createServer((socket) => socket.end());
    listener.listen(0, '127.0.0.1', () => resolve(listener));
  });
const portOf = (listener: Server) => (listener.address() as { port: number }).port;

beforeAll(async () => {
  server = await listen();
  openPort = portOf(server);
  // A port that was just free: bound, then closed, so nothing listens on it.
  const gone = await listen();
  closedPort = portOf(gone);
  await new Promise((resolve) => gone.close(resolve));
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('TCP probes from a host', () => {
  it('tells an open port from a refused one, in one command, keeping the targets’ order', async () => {
    const targets = [
      { address: '127.0.0.1', port: closedPort },
      { address: '127.0.0.1', port: openPort },
    ];
    const results = await probeFrom(localHost(), targets);
    expect(results.map((result) => [result.port, result.outcome])).toEqual([
      [closedPort, 'refused'],
      [openPort, 'open'],
    ]);
    expect(results[0]?.detail).toBe('Connection refused');
  });

  it('runs the probes of one host concurrently: ten refused probes cost about one', async () => {
    const targets = Array.from({ length: 10 }, () => ({ address: '127.0.0.1', port: closedPort }));
    const started = performance.now();
    const results = await probeFrom(localHost(), targets);
    expect(results.every((result) => result.outcome === 'refused')).toBe(true);
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it("reads timeout's 124 as no answer (blocked), and other errors as no route", () => {
    const targets = [
      { address: '10.0.0.5', port: 9042 },
      { address: '10.0.0.6', port: 9042 },
      { address: '10.0.0.7', port: 9042 },
      { address: '10.0.0.8', port: 9042 },
    ];
    const output = [
      '2 1 bash: connect: No route to host bash: line 1: /dev/tcp/10.0.0.7/9042: No route to host',
      '0 124 ',
      '1 1 bash: connect: Connection refused bash: line 1: /dev/tcp/10.0.0.6/9042: Connection refused',
      '',
    ].join('\n');
    expect(parseProbeOutput(targets, output)).toEqual([
      { address: '10.0.0.5', port: 9042, outcome: 'timed-out', detail: 'no answer' },
      { address: '10.0.0.6', port: 9042, outcome: 'refused', detail: 'Connection refused' },
      { address: '10.0.0.7', port: 9042, outcome: 'unreachable', detail: 'No route to host' },
      // The script was cut short before this probe printed: not a pass.
      { address: '10.0.0.8', port: 9042, outcome: 'unreachable', detail: 'the probe printed nothing' },
    ]);
    expect(classifyProbe(0, '')).toBe('open');
  });

  it('a script that did not run is an error, not every port "no route"', async () => {
    const refused = {
      name: 'kubenode1',
      exec: async () => ({ stdout: '', stderr: 'sudo: a password is required', exitCode: 1 }),
      close: () => {},
    };
    await expect(probeFrom(refused, [{ address: '10.0.0.5', port: 9042 }])).rejects.toThrow(
      /exited 1 before probing\nsudo: a password is required/,
    );
  });

  it('refuses to put anything but an address and a port into the script', () => {
    expect(() => probeScript([{ address: '10.0.0.5; rm -rf /', port: 1 }])).toThrow(/not an address/);
    expect(() => probeScript([{ address: '10.0.0.5', port: 70000 }])).toThrow(/not a port/);
  });
});
