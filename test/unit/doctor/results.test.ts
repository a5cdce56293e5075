import { describe, expect, it } from 'vitest';
import { errorResult } from '../../../src/doctor/results.js';

describe('errorResult', () => {
  it('names the first line in the summary and keeps the rest as evidence', () => {
    const result = errorResult(
      'cluster.nodes',
      'the nodes could not be listed',
      new Error('kubectl failed\n| a\n| b'),
    );
    expect(result).toMatchObject({
      status: 'fail',
      summary: 'the nodes could not be listed: kubectl failed',
      evidence: ['| a', '| b'],
    });
    expect(result.fix).toBeTruthy();
  });

  it('a one-line error is still evidence (a fail never comes without any)', () => {
    const result = errorResult(
      'hosts.sudo',
      'running id -u on kubenode1',
      new Error('Timed out after 20 s'),
      'kubenode1',
    );
    expect(result).toMatchObject({ host: 'kubenode1', evidence: ['error: Timed out after 20 s'] });
  });
});
