import { expect } from 'chai';
import {
  CommandType,
  EventType,
  vocabularyViolations,
} from '../../../src/shared/events/vocabulary.js';
import { JobName, subscriptions } from '../../../src/queues/names.js';

describe('vocabulary: events are past-tense facts, commands are imperatives', () => {
  it('holds for every message name in the registry', () => {
    expect(
      vocabularyViolations(Object.values(EventType), Object.values(CommandType)),
    ).to.deep.equal([]);
    // the queues route every event type, and the spellcheck job is the command itself
    expect(Object.keys(subscriptions).sort()).to.deep.equal(Object.values(EventType).sort());
    expect(JobName.spellcheckInitiate).to.equal(CommandType.SpellcheckInitiate);
  });

  it('fails on a past-tense command or an imperative event', () => {
    expect(vocabularyViolations([], ['SpellcheckInitiated'])).to.have.length(1);
    expect(vocabularyViolations([], ['SpellcheckInitiateCommandV1'])).to.have.length(1);
    expect(vocabularyViolations(['EssayProvisionV1'], [])).to.have.length(1);
    expect(vocabularyViolations(['EssayContentProvisioned'], [])).to.have.length(1);
    expect(vocabularyViolations(['BatchReadinessTimeoutV1'], [])).to.have.length(1);
  });
});
