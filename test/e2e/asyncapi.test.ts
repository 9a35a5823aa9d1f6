import { Parser } from '@asyncapi/parser';
import { expect } from 'chai';
import { eventDataSchemas } from '../../src/shared/events/schemas.js';
import { EventType } from '../../src/shared/events/vocabulary.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';

describe('e2e: the AsyncAPI event catalogue', function () {
  this.timeout(60_000);
  const redis = useRedis();
  let fleet: TestFleet;
  before(async () => {
    fleet = redis.track(await startFleet(redis.url, {}, []));
  });

  it('serves an AsyncAPI 3.0 document that @asyncapi/parser reads without an error or a warning', async () => {
    const res = await fetch(`${fleet.url}/asyncapi.json`);
    expect(res.status).to.equal(200);
    const raw = await res.text();
    const { document, diagnostics } = await new Parser().parse(raw);
    // severity 0 is an error, 1 a warning; 2 (information) only says 3.1 exists
    const problems = diagnostics
      .filter((d) => d.severity < 2)
      .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
    expect(problems).to.deep.equal([]);
    expect(document, 'a parsed document').to.not.equal(undefined);
    expect(document!.version()).to.equal('3.0.0');
    expect(
      document!
        .channels()
        .all()
        .map((c) => c.id())
        .sort(),
    ).to.deep.equal(['batchEvents', 'webhooks']);
  });

  it('has every event of the vocabulary on the stream and the webhooks, with its payload', async () => {
    const { document } = await new Parser().parse(
      await (await fetch(`${fleet.url}/asyncapi.json`)).text(),
    );
    for (const channelId of ['batchEvents', 'webhooks']) {
      const channel = document!.channels().get(channelId)!;
      for (const type of Object.values(EventType)) {
        const message = channel.messages().get(type);
        expect(message, `${type} on ${channelId}`).to.not.equal(undefined);
        const payload = message!.payload()!.json() as any;
        expect(payload.properties.event_type.const).to.equal(type);
        expect(payload.required).to.include.members(['event_id', 'event_type', 'data']);
        // the data's fields are those of the zod schema the publisher validates with
        const shape = eventDataSchemas[type].shape as Record<string, { isOptional(): boolean }>;
        expect(Object.keys(payload.properties.data.properties).sort()).to.deep.equal(
          Object.keys(shape).sort(),
        );
        const required = Object.keys(shape).filter((k) => !shape[k]!.isOptional());
        expect([...payload.properties.data.required].sort()).to.deep.equal(required.sort());
      }
    }
    const signed = document!.channels().get('webhooks')!.messages().get('BatchEssaysReadyV1')!;
    expect(Object.keys((signed.headers()!.json() as any).properties)).to.include('Essay-Signature');
    const notice = document!.channels().get('batchEvents')!.messages().get('FileProcessedNotice');
    expect((notice!.payload()!.json() as any).properties.notice.const).to.equal('file_processed');
  });

  it('renders the catalogue at /docs/events from files of its own, under the strict CSP', async () => {
    const page = await fetch(`${fleet.url}/docs/events`);
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(html)
      .to.include('/docs-events.js')
      .and.not.match(/https?:\/\//);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).to.include("script-src 'self'").and.include("connect-src 'self'");
    const script = await fetch(`${fleet.url}/docs-events.js`);
    expect(script.status).to.equal(200);
    expect(await script.text()).to.include("fetch('/asyncapi.json')");
  });
});
