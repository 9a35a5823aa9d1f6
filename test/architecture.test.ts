import { expect } from 'chai';
import { createRequire } from 'node:module';
import { cruise } from 'dependency-cruiser';

const require = createRequire(import.meta.url);

describe('architecture', () => {
  it('keeps the layering: no cycles, api and workers apart, bullmq and ioredis in their places', async function () {
    this.timeout(60_000);
    const ruleSet = require('../.dependency-cruiser.cjs');
    const result = await cruise(['src', 'bin'], { validate: true, ruleSet, ...ruleSet.options });
    const output = result.output as {
      summary: { violations: { rule: { name: string }; from: string; to: string }[] };
    };
    const violations = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
    expect(violations).to.deep.equal([]);
  });
});
