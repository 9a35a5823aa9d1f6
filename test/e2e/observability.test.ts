import { expect } from 'chai';
import { ApiClient, essay } from '../helpers/api.js';
import { withDeadlinesHeld } from '../helpers/deadlines.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

/** The value of one series in a Prometheus text exposition (0 when absent). */
async function scrape(url: string, series: string): Promise<number> {
  const text = await (await fetch(url)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('e2e: observability while the matrix runs', function () {
  this.timeout(90_000);
  const redis = useRedis();
  let fleet: TestFleet;
  let api: ApiClient;

  before(async () => {
    // a short upload lease: its job (batch.lifecycle) runs while the test looks
    fleet = redis.track(
      await startFleet(redis.url, { UPLOAD_LEASE_SECONDS: '1' }, undefined, { captureLogs: true }),
    );
    api = new ApiClient(fleet.url);
  });

  it('counters move: the happy case adds one EMPTY_CONTENT, the underflow case a timed_out observation', async () => {
    const empty = 'essay_validation_failed_total{error_code="EMPTY_CONTENT"}';
    const before = await scrape(fleet.workersMetricsUrl, empty);
    const happy = await api.register({ expected_essay_count: 4, course_code: 'ENG5' });
    await api.upload(
      happy.batch_id,
      [1, 2, 3]
        .map((i) => ({ name: `${i}.txt`, content: essay(`m${i}`) }))
        .concat({ name: 'empty.txt', content: '' }),
    );
    await api.waitForBatch(happy.batch_id);
    expect(await scrape(fleet.workersMetricsUrl, empty)).to.equal(before + 1);
    expect(
      await scrape(fleet.workersMetricsUrl, 'batch_completion_seconds_count{status="ready"}'),
    ).to.be.at.least(1);
    expect(
      await scrape(fleet.workersMetricsUrl, 'jobs_total{queue="essay.extract",status="completed"}'),
    ).to.be.at.least(4);

    const under = await withDeadlinesHeld(fleet, async () => {
      const under = await api.register({
        expected_essay_count: 7,
        course_code: 'ENG5',
        readiness_timeout_seconds: 1,
      });
      await api.upload(
        under.batch_id,
        [1, 2, 3, 4, 5].map((i) => ({ name: `${i}.txt`, content: essay(`u${i}`) })),
      );
      return under;
    });
    await api.waitForBatch(under.batch_id);
    expect(
      await scrape(fleet.workersMetricsUrl, 'batch_completion_seconds_count{status="timed_out"}'),
    ).to.be.at.least(1);

    const web = `${fleet.url}/metrics`;
    expect(await scrape(web, 'upload_bytes_total')).to.be.above(0);
    expect(
      await scrape(
        web,
        'http_request_duration_seconds_count{method="POST",route="/v1/files/batch",status="202"}',
      ),
    ).to.be.at.least(2);
    const text = await (await fetch(web)).text();
    expect(text).to.match(/queue_jobs\{queue="essay\.extract",state="waiting"\} \d+/);
    expect(text).to.include('process_resident_memory_bytes');
    // no label carries an id
    expect(text).to.not.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });

  it('logs every job with the standard keys: corr_id, batch_id, essay_id, phase, status, duration_ms', async () => {
    const reg = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    await api.upload(reg.batch_id, [{ name: 'a.txt', content: essay('logs') }], {
      'X-Correlation-ID': 'corr-logs-1',
    });
    for (const phase of ['essay.spellcheck', 'batch.lifecycle'])
      await waitFor(`the ${phase} job to be logged`, () =>
        fleet.logs.some(
          (l) => l.phase === phase && l.batch_id === reg.batch_id && l.status === 'completed',
        ),
      );
    const mine = fleet.logs.filter(
      (l) => l.batch_id === reg.batch_id && typeof l.phase === 'string' && l.phase !== 'http',
    );
    const phases = new Set(mine.map((l) => l.phase));
    for (const p of [
      'essay.extract',
      'essay.upload',
      'batch.lifecycle',
      'batch.orchestrate',
      'essay.spellcheck',
    ])
      expect(phases).to.include(p);
    for (const line of mine) {
      expect(line, JSON.stringify(line)).to.include.keys(
        'corr_id',
        'batch_id',
        'phase',
        'status',
        'duration_ms',
      );
      expect(line.corr_id).to.equal('corr-logs-1');
    }
    const spell = mine.find((l) => l.phase === 'essay.spellcheck')!;
    expect(spell).to.include.keys(
      'corr_id',
      'batch_id',
      'essay_id',
      'phase',
      'status',
      'duration_ms',
    );
    expect(
      fleet.logs.some((l) => l.phase === 'http' && l.corr_id === 'corr-logs-1' && l.status === 202),
    ).to.equal(true);
  });
});
