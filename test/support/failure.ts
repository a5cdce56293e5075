import { isWireInstallError, type WireInstallError } from '../../src/core/errors.js';

/** Awaits what must fail with a WireInstallError and returns it; anything else fails the test. */
export async function wireInstallFailure(promise: Promise<unknown>): Promise<WireInstallError> {
  try {
    await promise;
  } catch (error) {
    if (isWireInstallError(error)) return error;
    throw error;
  }
  throw new Error('expected a WireInstallError, but it succeeded');
}
