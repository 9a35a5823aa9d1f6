import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ApiClient } from '../helpers/api.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('e2e: upload to the spellcheck phase outcome', function () {
  this.timeout(90_000);
  const redis = useRedis();
  let fleet: TestFleet;
  let api: ApiClient;

  before(async () => {
    fleet = redis.track(await startFleet(redis.url));
    api = new ApiClient(fleet.url);
  });

  async function phaseOf(batchId: string) {
    return waitFor(
      `the spellcheck phase of ${batchId} to complete`,
      async () => {
        const events = await api.events(batchId);
        return events.find((e) => e.event_type === 'BatchPhaseCompletedV1') ? events : undefined;
      },
      60_000,
    );
  }

  it('English: corrects "esay" and "speling", publishes the phase outcome once, serves the corrected text', async () => {
    const typo =
      'This esay is about speling. It has a few more sentences, so that it is long enough to count as a real essay.';
    const reg = await api.register({ expected_essay_count: 3, course_code: 'ENG5' });
    await api.upload(reg.batch_id, [
      { name: 'typos.txt', content: typo },
      { name: 'clean.txt', content: fixture('clean-en.txt') },
      { name: 'empty.txt', content: '' },
    ]);
    const events = await phaseOf(reg.batch_id);
    const phase = events.filter((e) => e.event_type === 'BatchPhaseCompletedV1');
    expect(phase).to.have.length(1);
    expect(phase[0]!.data).to.include({
      phase: 'spellcheck',
      outcome: 'COMPLETED_SUCCESSFULLY',
      essays_total: 2,
      essays_succeeded: 2,
      essays_failed: 0,
    });
    const checks = events.filter((e) => e.event_type === 'SpellCheckCompletedV1');
    expect(checks).to.have.length(2);

    const batch = await api.batch(reg.batch_id);
    expect(batch.phases.spellcheck).to.include({
      status: 'completed',
      outcome: 'COMPLETED_SUCCESSFULLY',
    });
    const typoEssay = batch.essays.find((e: any) => e.original_file_name === 'typos.txt');
    expect(typoEssay.spellcheck).to.include({ status: 'completed', corrections_made: 2 });
    const check = checks.find((e) => e.data.essay_id === typoEssay.essay_id)!;
    expect(check.data).to.include({
      batch_id: reg.batch_id,
      status: 'completed',
      corrections_made: 2,
    });
    expect((check.data.misspellings as any[]).map((m) => m.word)).to.deep.equal([
      'esay',
      'speling',
    ]);
    expect(check.data.corrected_text_storage_id).to.match(/^[0-9a-f]{64}$/);

    const corrected = await fetch(
      `${fleet.url}/v1/essays/${typoEssay.essay_id}/text?variant=corrected`,
    );
    expect(await corrected.text()).to.equal(
      typo.replace('esay', 'essay').replace('speling', 'spelling'),
    );
    const original = await fetch(`${fleet.url}/v1/essays/${typoEssay.essay_id}/text`);
    expect(await original.text()).to.equal(typo);
    const cleanEssay = batch.essays.find((e: any) => e.original_file_name === 'clean.txt');
    expect(cleanEssay.spellcheck.corrections_made).to.be.at.most(2);
  });

  it('Swedish (course code SV…): corrects the Swedish sample', async () => {
    const text =
      'Det var flikor på sjukhusset som skrev en uppsatts om hur skolan kan bli bättre för alla elever.';
    const reg = await api.register({ expected_essay_count: 1, course_code: 'SVA1' });
    await api.upload(reg.batch_id, [{ name: 'uppsats.txt', content: text }]);
    await phaseOf(reg.batch_id);
    const batch = await api.batch(reg.batch_id);
    expect(batch.language).to.equal('sv');
    const res = await fetch(
      `${fleet.url}/v1/essays/${batch.essays[0].essay_id}/text?variant=corrected`,
    );
    expect(await res.text()).to.equal(
      'Det var flickor på sjukhuset som skrev en uppsats om hur skolan kan bli bättre för alla elever.',
    );
  });

  it('a timed-out batch spellchecks the essays that are ready; a batch with none fails the phase critically', async () => {
    const reg = await api.register({
      expected_essay_count: 3,
      course_code: 'ENG5',
      readiness_timeout_seconds: 1,
    });
    await api.upload(reg.batch_id, [{ name: 'one.txt', content: fixture('clean-en.txt') }]);
    const events = await phaseOf(reg.batch_id);
    expect(events.some((e) => e.event_type === 'BatchReadinessTimedOutV1')).to.equal(true);
    expect(events.find((e) => e.event_type === 'BatchPhaseCompletedV1')!.data).to.include({
      outcome: 'COMPLETED_SUCCESSFULLY',
      essays_total: 1,
    });

    const none = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    await api.upload(none.batch_id, [{ name: 'empty.txt', content: '' }]);
    const noneEvents = await phaseOf(none.batch_id);
    expect(noneEvents.find((e) => e.event_type === 'BatchPhaseCompletedV1')!.data).to.include({
      outcome: 'FAILED_CRITICALLY',
      essays_total: 0,
    });
  });
});
