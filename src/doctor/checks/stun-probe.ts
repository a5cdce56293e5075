import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { fenceRefusal } from '../../hosts/network-fence.js';

/**
 * A STUN Binding request (RFC 5389 section 6: type 0x0001, no attributes, the magic cookie, a
 * random transaction id) to coturn's port 3478 over UDP or TCP (docs/wire/health-and-ports.md#ports-and-firewall), from the admin
 * host. coturn answers a Binding request without credentials, so an answer (type 0x0101 with our
 * transaction id) shows the port is open and coturn is what listens, more than a TCP connect.
 */
export const STUN_PORT = 3478;
const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;

export function bindingRequest(transaction: Buffer): Buffer {
  const message = Buffer.alloc(20);
  message.writeUInt16BE(BINDING_REQUEST, 0);
  message.writeUInt16BE(0, 2);
  message.writeUInt32BE(MAGIC_COOKIE, 4);
  transaction.copy(message, 8);
  return message;
}

/** A Binding success response to our request (a STUN server answers errors with 0x0111). */
export function isBindingAnswer(message: Buffer, transaction: Buffer): boolean {
  return (
    message.length >= 20 &&
    message.readUInt16BE(0) === BINDING_SUCCESS &&
    message.readUInt32BE(4) === MAGIC_COOKIE &&
    message.subarray(8, 20).equals(transaction)
  );
}

export type Transport = 'udp' | 'tcp';

/** Resolves with how long the answer took (ms); rejects with what happened instead. */
export function stunProbe(
  host: string,
  port: number,
  transport: Transport,
  timeoutMs = 3000,
): Promise<number> {
  const transaction = randomBytes(12);
  const request = bindingRequest(transaction);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const fenced = fenceRefusal(host);
    if (fenced) {
      reject(new Error(fenced));
      return;
    }
    // Once only: a late error or 'end' after the answer or the timeout must not close again
    // (closing a closed UDP socket throws, outside any promise).
    let done = false;
    const finish = (error: Error | undefined, close: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      close();
      if (error) reject(error);
      else resolve(Date.now() - started);
    };
    let close = () => {};
    const timer = setTimeout(
      () => finish(new Error(`no STUN answer within ${timeoutMs / 1000} s`), close),
      timeoutMs,
    );
    if (transport === 'udp') {
      const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
      close = () => socket.close();
      socket.on('message', (message) => {
        if (isBindingAnswer(message, transaction)) finish(undefined, close);
      });
      // An ICMP port unreachable arrives as ECONNREFUSED on the next operation.
      socket.on('error', (error) => finish(error, close));
      socket.send(request, port, host);
      return;
    }
    const socket = connect({ host, port });
    close = () => socket.destroy();
    let received = Buffer.alloc(0);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 20)
        finish(
          isBindingAnswer(received, transaction)
            ? undefined
            : new Error('the answer is not a STUN Binding success'),
          close,
        );
    });
    socket.on('error', (error) => finish(error, close));
    socket.on('end', () => finish(new Error('the connection was closed without an answer'), close));
  });
}
