import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { recordsClient } from '../../services/records/records-test-client.js';
import { maxParamLength } from './app.js';

/**
 * Every resource written with the longest id its write route accepts can be read back by that id,
 * percent-encoded in the path as a client sends it (four-byte characters where the rules allow them).
 */
let platform: TestPlatform;
const tenant = { 'x-api-key': 'long-key' };
beforeAll(async () => {
  platform = await startTestPlatform({ env: { SKIFF_LOCAL_TENANTS: 'long:UTC:long-key' } });
});
afterAll(() => platform.stop());

const read = (url: string, headers: Record<string, string> = {}) => platform.app.inject({ url, headers });

describe('the longest accepted id of every resource', () => {
  it('an order: 128 characters of four UTF-8 bytes, 1,536 once encoded', async () => {
    const id = '😀'.repeat(128);
    const posted = await platform.app.inject({
      method: 'POST',
      url: '/orders',
      payload: [{ record_id: id, parameter_1: 'p', parameter_2: 1 }],
    });
    expect(posted.statusCode).toBe(201);
    expect(encodeURIComponent(id).length).toBeLessThanOrEqual(maxParamLength);
    const answer = await read(`/orders/${encodeURIComponent(id)}`);
    expect(answer.statusCode).toBe(200);
    expect(answer.json().record_id).toBe(id);
    const tooLong = await platform.app.inject({
      method: 'POST',
      url: '/orders',
      payload: [{ record_id: `${id}x`, parameter_1: 'p', parameter_2: 1 }],
    });
    expect(tooLong.statusCode).toBe(400);
  });

  it('a greeting: 64 letters of four UTF-8 bytes, each with a four-byte combining mark', async () => {
    const name = '𝒜\u{1D165}'.repeat(64);
    expect(name.normalize('NFC')).toBe(name);
    expect(encodeURIComponent(name).length).toBeLessThanOrEqual(maxParamLength);
    const saved = await platform.app.inject({
      method: 'PUT',
      url: `/hello/${encodeURIComponent(name)}`,
      payload: { dateOfBirth: '1990-01-01' },
    });
    expect(saved.statusCode).toBe(204);
    const answer = await read(`/hello/${encodeURIComponent(name)}`);
    expect(answer.statusCode).toBe(200);
    expect(answer.json().message).toContain(name);
  });

  it('a donor: 128 characters', async () => {
    const donorId = `${'d'.repeat(100)}@${'e'.repeat(23)}.org`;
    expect(donorId).toHaveLength(128);
    const given = await platform.app.inject({
      method: 'POST',
      url: '/donations',
      payload: { donorId, amount: 500, currency: 'GBP' },
    });
    expect(given.statusCode).toBe(201);
    expect((await read(`/donors/${encodeURIComponent(donorId)}`)).statusCode).toBe(200);
    expect((await read(`/donors/${encodeURIComponent(donorId)}/donations`)).statusCode).toBe(200);
  });

  it('a patient record: a 64-character medical record number of four-byte characters', async () => {
    const mrn = '😀'.repeat(64);
    const records = recordsClient(() => platform);
    const [upload] = await records.upload(tenant, [
      {
        name: 'long.csv',
        content: `medical_record_number,first_name,last_name,date_time,doctors_notes\n${mrn},Ada,Lovelace,2026-01-01 10:00,n\n`,
      },
    ]);
    const settled = await records.settled(tenant, upload?.uploadId as string);
    expect(settled, JSON.stringify(settled)).toMatchObject({ status: 'completed' });
    const answer = await read(`/records/${encodeURIComponent(mrn)}`, tenant);
    expect(answer.statusCode).toBe(200);
    expect(JSON.stringify(answer.json())).toContain(mrn);
  });
});
