import { expect } from 'chai';
import net from 'node:net';
import { ApiClient, essay } from '../helpers/api.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';

describe('e2e: TXT essays over HTTP with real workers', () => {
  const redis = useRedis();
  let fleet: TestFleet;
  let api: ApiClient;

  before(async () => {
    fleet = redis.track(await startFleet(redis.url));
    api = new ApiClient(fleet.url);
  });

  it('register 3, upload 3 (one empty): 2 ready, 1 EMPTY_CONTENT, events in order', async () => {
    const reg = await api.register({
      expected_essay_count: 3,
      course_code: 'ENG5',
      teacher_name: 'Ms Berg',
    });
    expect(reg.status).to.equal('registered');
    const name = 'Åsa Öberg – uppsats.txt';
    const up = await api.upload(
      reg.batch_id,
      [
        { name, content: essay('the sea') },
        { name: 'tom.txt', content: '' },
        { name: 'second.txt', content: essay('mountains') },
      ],
      { 'X-Correlation-ID': 'corr-e2e-1' },
    );
    expect(up.status).to.equal(202);
    expect(up.body.correlation_id).to.equal('corr-e2e-1');
    expect(up.body.files).to.have.length(3);
    expect(up.body.files[0]).to.include({ original_file_name: name, status: 'accepted' });
    expect(up.body.files[0].raw_storage_id).to.match(/^[0-9a-f]{64}$/);

    const batch = await api.waitForBatch(reg.batch_id);
    expect(batch).to.include({
      status: 'ready',
      expected_count: 3,
      received_count_from_uploads: 3,
      ready_count: 2,
      failed_count: 1,
      excess_count: 0,
    });
    expect(batch.validation_failures).to.deep.equal([
      {
        file_upload_id: up.body.files[1].file_upload_id,
        original_file_name: 'tom.txt',
        error_code: 'EMPTY_CONTENT',
        message: 'The file contains no text.',
      },
    ]);
    expect(
      batch.essays.map((e: { original_file_name: string }) => e.original_file_name).sort(),
    ).to.deep.equal([name, 'second.txt'].sort());

    // the spellcheck phase follows readiness; this test looks at the completeness events
    const events = (await api.events(reg.batch_id)).filter(
      (e) => !['SpellCheckCompletedV1', 'BatchPhaseCompletedV1'].includes(e.event_type),
    );
    const types = events.map((e) => e.event_type);
    expect(types).to.have.length(5);
    expect(types.slice(0, 3).sort()).to.deep.equal([
      'EssayContentProvisionedV1',
      'EssayContentProvisionedV1',
      'EssayValidationFailedV1',
    ]);
    expect(types.slice(3)).to.deep.equal(['EssayUploadFinishedV1', 'BatchEssaysReadyV1']);
    expect(events[3]!.data).to.include({
      event: 'essay.upload.finished',
      expected_count: 3,
      correlation_id: 'corr-e2e-1',
    });
    const ready = events[4]!.data as {
      ready_essays: unknown[];
      validation_failures: unknown[];
      total_files_processed: number;
    };
    expect(ready.ready_essays).to.have.length(2);
    expect(ready.total_files_processed).to.equal(3);

    const essayId = batch.essays.find(
      (e: { original_file_name: string }) => e.original_file_name === name,
    ).essay_id;
    const text = await fetch(`${fleet.url}/v1/essays/${essayId}/text`);
    expect(text.status).to.equal(200);
    expect(text.headers.get('content-type')).to.include('text/plain');
    expect(await text.text()).to.equal(essay('the sea'));
  });

  it('stores the same bytes under the same raw_storage_id', async () => {
    const reg = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    const up = await api.upload(reg.batch_id, [
      { name: 'a.txt', content: essay('twins') },
      { name: 'b.txt', content: essay('twins') },
    ]);
    expect(up.body.files[0].raw_storage_id).to.equal(up.body.files[1].raw_storage_id);
    // one essay: the second copy is a duplicate, excess with the same stored text
    const batch = await api.waitForBatch(reg.batch_id);
    expect(batch.excess[0]).to.include({ reason: 'DUPLICATE_CONTENT' });
    const events = await api.events(reg.batch_id);
    const texts = events
      .filter((e) => e.event_type === 'EssayContentProvisionedV1')
      .map((e) => e.data.text_storage_id);
    expect(texts).to.have.length(2);
    expect(texts[0]).to.equal(texts[1]);
  });

  it('answers 404 for an unknown batch and 400 with the zod issues for a bad body', async () => {
    const unknown = await api.upload('00000000-0000-4000-8000-000000000000', [
      { name: 'a.txt', content: 'x' },
    ]);
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.code).to.equal('BATCH_NOT_FOUND');
    const bad = await api.json('POST', '/v1/batches/register', {
      expected_essay_count: 0,
      course_code: '',
    });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('VALIDATION_FAILED');
    const paths = bad.body.error.details.map((i: { path: string[] }) => i.path[0]);
    expect(paths).to.include.members(['expected_essay_count', 'course_code']);
    expect((await api.json('GET', '/v1/batches/not-a-uuid')).status).to.equal(404);
    expect(
      (await api.json('GET', '/v1/batches/00000000-0000-4000-8000-000000000000')).status,
    ).to.equal(404);
    expect(
      (await api.json('GET', '/v1/essays/00000000-0000-4000-8000-000000000000/text')).status,
    ).to.equal(404);
  });

  it('serves health, readiness, metrics and the upload page', async () => {
    expect((await api.json('GET', '/healthz')).body).to.deep.equal({ status: 'ok' });
    expect((await api.json('GET', '/readyz')).status).to.equal(200);
    const metrics = await (await fetch(`${fleet.url}/metrics`)).text();
    expect(metrics).to.include('http_request_duration_seconds');
    const page = await fetch(`${fleet.url}/`);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.include('Essay intake');
  });

  it('answers a cut-off upload with 400 and keeps serving', async () => {
    const reg = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    const { port } = new URL(fleet.url);
    const body =
      `--XX\r\nContent-Disposition: form-data; name="batch_id"\r\n\r\n${reg.batch_id}\r\n` +
      '--XX\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\nhello, this form ends here';
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(Number(port), '127.0.0.1', () => {
        sock.write(
          'POST /v1/files/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=XX\r\n' +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
      let out = '';
      sock.on('data', (c) => (out += c.toString()));
      sock.on('end', () => resolve(out));
      sock.on('error', reject);
    });
    expect(answer).to.match(/^HTTP\/1\.1 400/);
    expect(answer).to.match(/UPLOAD_ABORTED|INVALID_MULTIPART/);
    expect((await api.json('GET', '/healthz')).status).to.equal(200);
    const tmp = `${fleet.config.DATA_DIR}/blobs/tmp`;
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(tmp)).to.deep.equal([]);
  });

  it('refuses a register body that is not JSON, and defaults upload events to the batch correlation id', async () => {
    const form = await fetch(`${fleet.url}/v1/batches/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'expected_essay_count=1&course_code=ENG5',
    });
    expect(form.status).to.equal(415);
    const reg = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    const up = await api.upload(reg.batch_id, [{ name: 'a.txt', content: essay('ids') }]);
    expect(up.body.correlation_id).to.equal(reg.correlation_id);
    await api.waitForBatch(reg.batch_id);
    const events = await api.events(reg.batch_id);
    expect(events.every((e: any) => e.correlation_id === reg.correlation_id)).to.equal(true);
  });
});
