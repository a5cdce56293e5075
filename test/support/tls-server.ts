import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';

/**
 * A real TLS server on 127.0.0.1 at a free port in the ingress's place (tests point
 * WIRE_INSTALL_INGRESS at it), serving one certificate chain whatever the SNI name. It records
 * the SNI name of each session, so tests can count sessions per name.
 */
export interface TestTlsServer {
  /** For WIRE_INSTALL_INGRESS. */
  address: string;
  port: number;
  /** SNI names of the sessions, in order. */
  sessions: string[];
  close(): Promise<void>;
}

export function serveTls(chainFile: string, keyFile: string): Promise<TestTlsServer> {
  const sessions: string[] = [];
  const server: Server = createServer(
    {
      cert: readFileSync(chainFile),
      key: readFileSync(keyFile),
      // Called during the handshake, before the client sees the certificate: counted in time.
      SNICallback: (name, callback) => {
        sessions.push(name);
        callback(null);
      },
    },
    (socket) => socket.end(),
  );
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        address: `127.0.0.1:${port}`,
        port,
        sessions,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
