import { request } from 'node:https';
import { fenceRefusal } from '../hosts/network-fence.js';
import type { IngressEndpoint } from './ingress-endpoint.js';
import { PROBE_TIMEOUT_MS } from './tls-probe.js';

/**
 * GET https://<name><path> sent to the ingress endpoint, with `name` as SNI and Host header:
 * what `curl -i https://nginz-https.<domain>/status` does (docs/wire/health-and-ports.md#health-checks), without relying on
 * DNS. The certificate is not verified here (verify.certificate checks it, and says what is
 * wrong with it); this asks only whether the service answers.
 */
export interface HttpsAnswer {
  status: number;
  /** The body's first BODY_LIMIT bytes, as text. */
  body: string;
}

const BODY_LIMIT = 64 * 1024;

export function httpsGet(
  endpoint: IngressEndpoint,
  name: string,
  path: string,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const fenced = fenceRefusal(endpoint.host);
    if (fenced) {
      reject(new Error(fenced));
      return;
    }
    const req = request(
      {
        host: endpoint.host,
        port: endpoint.port,
        servername: name,
        path,
        method: 'GET',
        headers: { Host: name, 'User-Agent': 'wire-install verify' },
        rejectUnauthorized: false,
        timeout: timeoutMs,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (body.length < BODY_LIMIT) body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: body.slice(0, BODY_LIMIT) }),
        );
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) =>
      reject(
        new Error(
          `GET https://${name}${path} via ${endpoint.host}:${endpoint.port} failed: ${error.message}`,
        ),
      ),
    );
    req.end();
  });
}
