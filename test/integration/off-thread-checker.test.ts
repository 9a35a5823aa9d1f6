import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { InfrastructureError } from '../../src/shared/errors.js';
import { SpellChecker } from '../../src/workers/spellcheck/checker.js';
import { OffThreadChecker } from '../../src/workers/spellcheck/off-thread-checker.js';

describe('spellcheck: the checker on its own thread', function () {
  // each thread spells out its dictionaries on start (seconds; more on a busy machine)
  this.timeout(120_000);
  const text = 'This esay is about speling. Anna went to scool.';
  const essay = readFileSync(new URL('../fixtures/clean-en.txt', import.meta.url), 'utf8');

  it('gives what the checker gives in-process, for many checks at once', async () => {
    const direct = await SpellChecker.load();
    const threaded = await new OffThreadChecker().load();
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => threaded.check(`${text} ${i}`, 'en')),
      );
      results.forEach((r, i) => expect(r).to.deep.equal(direct.check(`${text} ${i}`, 'en')));
      expect(
        (await threaded.check('Jag skriver om flikor på sjukhusset.', 'sv')).correctionsMade,
      ).to.equal(2);
    } finally {
      await threaded.close();
    }
  });

  it('replaces a stuck thread: the check fails as retryable, the next one runs on a new thread', async () => {
    const threaded = await new OffThreadChecker(500).load();
    try {
      // half a million words: seconds of work, where an essay takes milliseconds
      const slow = Array.from({ length: 1000 }, () => essay).join('\n');
      const failed = await threaded.check(slow, 'en').then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failed).to.be.instanceOf(InfrastructureError);
      // a correct text (no suggestions to look up) is quick even on the new thread's cold start
      const clean = await threaded.check('This essay is about spelling.', 'en');
      expect(clean.correctionsMade).to.equal(0);
    } finally {
      await threaded.close();
    }
  });

  it('refuses checks once closed', async () => {
    const threaded = await new OffThreadChecker().load();
    await threaded.close();
    const err = await threaded.check(text, 'en').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(InfrastructureError);
  });
});
