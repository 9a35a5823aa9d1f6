import { expect } from 'chai';
import { QueueName } from '../../src/queues/names.js';
import { EventType, Phase } from '../../src/shared/events/vocabulary.js';
import { ApiClient, essay } from '../helpers/api.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

const secret = 'whsec_test_0123456789abcdef';
/** Up to readiness, and the deliveries: no spellcheck dictionaries to load. */
const toReadiness = [
  QueueName.extract,
  QueueName.upload,
  QueueName.lifecycle,
  QueueName.orchestrate,
  QueueName.webhook,
];

/** Until the webhook queue has nothing waiting, delayed or running: every delivery has ended. */
async function deliveriesSettled(fleet: TestFleet) {
  const q = fleet.web.queue(QueueName.webhook);
  return waitFor('every webhook delivery to end', async () => {
    const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(c).every((n) => n === 0) ? q.getJobCounts() : undefined;
  });
}

const metric = async (fleet: TestFleet, status: string) =>
  (await fleet.workers.metrics.webhookDeliveries.get()).values.find(
    (v) => v.labels.status === status,
  )?.value ?? 0;

describe('e2e: webhooks', function () {
  this.timeout(90_000);
  const redis = useRedis();

  it('delivers every event of a batch once per endpoint, signed, after a receiver answered 500 three times', async () => {
    // every event's first three attempts get 500; the endpoint for readiness only always says 200
    const receiver = redis.track(
      await startReceiver(secret, ({ path, attempt }) =>
        path === '/all' && attempt <= 3 ? 500 : 200,
      ),
    );
    const fleet = redis.track(
      await startFleet(redis.url, {
        WEBHOOK_ENDPOINTS: JSON.stringify([
          { url: `${receiver.url}/all`, secret, events: ['*'] },
          { url: `${receiver.url}/ready`, secret, events: ['BatchEssaysReadyV1'] },
        ]),
        WEBHOOK_BACKOFF_MS: '20',
        WEBHOOK_RETRY_SECONDS: '60',
      }),
    );
    const api = new ApiClient(fleet.url);
    const reg = await api.register({ expected_essay_count: 2, course_code: 'ENG5' });
    await api.upload(reg.batch_id, [
      { name: 'a.txt', content: essay('a') },
      { name: 'b.txt', content: essay('b') },
    ]);
    await waitFor('the spellcheck phase to complete', async () =>
      (await api.events(reg.batch_id)).some((e) => e.event_type === 'BatchPhaseCompletedV1'),
    );
    await deliveriesSettled(fleet);
    const log = await api.events(reg.batch_id);

    expect(receiver.deliveries.every((d) => d.signatureValid)).to.equal(true);
    const all = receiver.accepted('/all');
    expect([...all.keys()].sort()).to.deep.equal(log.map((e) => e.event_id).sort());
    expect(
      [...all.values()].every((n) => n === 1),
      'each event once',
    ).to.equal(true);
    for (const e of log) {
      const tries = receiver.deliveries.filter(
        (d) => d.path === '/all' && d.eventId === e.event_id,
      );
      expect(tries.map((d) => d.answered)).to.deep.equal([500, 500, 500, 200]);
      expect(tries[3]!.body).to.deep.include({ event_type: e.event_type, data: e.data });
    }
    const ready = receiver.deliveries.filter((d) => d.path === '/ready');
    expect(ready.map((d) => [d.eventType, d.answered])).to.deep.equal([
      ['BatchEssaysReadyV1', 200],
    ]);
    expect(ready[0]!.body.data.batch_id).to.equal(reg.batch_id);

    expect(await metric(fleet, 'delivered')).to.equal(log.length + 1);
    expect(await metric(fleet, 'failed')).to.equal(log.length * 3);
    const latency = await fleet.workers.metrics.webhookLatency.get();
    expect(latency.values.find((v) => v.metricName?.endsWith('_count'))?.value).to.equal(
      log.length + 1,
    );
  });

  it('enqueues an event published twice once per endpoint, and delivers it once', async () => {
    const receiver = redis.track(await startReceiver(secret));
    const fleet = redis.track(
      await startFleet(
        redis.url,
        {
          WEBHOOK_ENDPOINTS: JSON.stringify([
            { url: `${receiver.url}/one`, secret, events: ['BatchPhaseCompletedV1'] },
            { url: `${receiver.url}/two`, secret, events: ['*'] },
            { url: `${receiver.url}/none`, secret, events: ['BatchEssaysReadyV1'] },
          ]),
        },
        [QueueName.webhook],
      ),
    );
    const batchId = '00000000-0000-4000-8000-000000000022';
    const publish = () =>
      fleet.web.publisher.emit(
        EventType.BatchPhaseCompletedV1,
        {
          batch_id: batchId,
          phase: 'spellcheck',
          outcome: 'COMPLETED_SUCCESSFULLY',
          essays_total: 1,
          essays_succeeded: 1,
          essays_failed: 0,
        },
        { batchId, subjectId: batchId, phase: Phase.spellcheck, outcome: 'completed' },
        'corr-twice',
      );
    const first = await publish();
    await publish();
    const jobs = await fleet.web.queue(QueueName.webhook).getJobs();
    expect(jobs.map((j) => j.id).sort()).to.have.length(2);
    expect(jobs.every((j) => j.id!.startsWith(`${first.event_id}.`))).to.equal(true);
    await deliveriesSettled(fleet);
    await publish(); // again, after delivery: the kept job still stands for it
    await deliveriesSettled(fleet);
    expect(receiver.deliveries.map((d) => [d.path, d.eventId]).sort()).to.deep.equal([
      ['/one', first.event_id],
      ['/two', first.event_id],
    ]);
  });

  it('dead-letters a delivery that never succeeds; the board Retry delivers it once', async () => {
    let down = true;
    const receiver = redis.track(await startReceiver(secret, () => (down ? 503 : 200)));
    const fleet = redis.track(
      await startFleet(
        redis.url,
        {
          WEBHOOK_ENDPOINTS: JSON.stringify([
            { url: `${receiver.url}/hook?tenant=7`, secret, events: ['BatchEssaysReadyV1'] },
          ]),
          WEBHOOK_BACKOFF_MS: '20',
          WEBHOOK_RETRY_SECONDS: '1',
          BOARD_USERNAME: 'operator',
          BOARD_PASSWORD: 'correct horse battery',
        },
        toReadiness,
      ),
    );
    const api = new ApiClient(fleet.url);
    const reg = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    await api.upload(reg.batch_id, [{ name: 'a.txt', content: essay('a') }]);
    const dlq = fleet.web.queue(QueueName.dlq);
    const letter = await waitFor('a dead letter for the delivery', async () =>
      (await dlq.getJobs(['waiting'])).find((j) => j.data.source_queue === QueueName.webhook),
    );
    expect(letter.data.reason).to.match(/^WEBHOOK_REFUSED: .* answered 503: not now/);
    expect(letter.data.payload).to.deep.include({ endpoint_url: `${receiver.url}/hook` });
    expect(JSON.stringify(letter.data)).not.to.include(secret);
    const attempts = receiver.deliveries.length;
    expect(attempts).to.be.above(2);
    expect(letter.data.attempts).to.equal(attempts);
    const dead = (await fleet.workers.metrics.dlqMessages.get()).values;
    expect(dead.find((v) => v.labels.queue === QueueName.webhook)?.value).to.equal(1);

    down = false;
    const auth = `Basic ${Buffer.from('operator:correct horse battery').toString('base64')}`;
    const retried = await fetch(
      `${fleet.url}/admin/queues/api/queues/${QueueName.webhook}/${letter.data.job_id}/retry`,
      { method: 'PUT', headers: { authorization: auth } },
    );
    expect(retried.status).to.equal(204);
    await waitFor('the redriven delivery', () => receiver.accepted('/hook?tenant=7').size === 1);
    await deliveriesSettled(fleet);
    expect([...receiver.accepted('/hook?tenant=7').values()]).to.deep.equal([1]);
  });

  it('follows no redirect and gives up on a receiver that does not answer in time', async () => {
    const receiver = redis.track(
      await startReceiver(secret, ({ path }) =>
        path === '/moved' ? 302 : path === '/slow' ? 'hang' : 200,
      ),
    );
    const fleet = redis.track(
      await startFleet(
        redis.url,
        {
          WEBHOOK_ENDPOINTS: JSON.stringify([
            { url: `${receiver.url}/moved`, secret, events: ['BatchEssaysReadyV1'] },
            { url: `${receiver.url}/slow`, secret, events: ['BatchEssaysReadyV1'] },
          ]),
          WEBHOOK_RETRY_SECONDS: '0',
          WEBHOOK_TIMEOUT_MS: '300',
        },
        toReadiness,
      ),
    );
    const api = new ApiClient(fleet.url);
    const reg = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    await api.upload(reg.batch_id, [{ name: 'a.txt', content: essay('a') }]);
    const q = fleet.web.queue(QueueName.webhook);
    const failed = await waitFor('both deliveries to fail', async () => {
      const jobs = await q.getFailed();
      return jobs.length === 2 ? jobs : undefined;
    });
    const reasons = failed.map((j) => j.failedReason).sort();
    expect(reasons[0]).to.match(/^WEBHOOK_REFUSED: .*\/moved answered 302/);
    expect(reasons[1]).to.match(/^WEBHOOK_TIMEOUT: .*\/slow did not answer within 300 ms/);
    expect(receiver.deliveries.map((d) => d.path)).to.deep.equal(['/moved']);
  });
});
