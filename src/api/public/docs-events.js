// Renders /asyncapi.json as a plain catalogue: each channel, then each message with its payload.
import { el } from '/dom.js';

const spec = await fetch('/asyncapi.json').then((r) => r.json());
/** Follows a local `#/…` reference inside the document. */
const resolve = (node) =>
  node && node.$ref
    ? resolve(
        node.$ref
          .slice(2)
          .split('/')
          .reduce((at, key) => at[key], spec),
      )
    : node;
const schemaText = (schema) => JSON.stringify(resolve(schema), null, 2);
document.getElementById('about').textContent = spec.info.description;
const root = document.getElementById('channels');
for (const [id, channel] of Object.entries(spec.channels)) {
  const section = el('section', undefined, 'op');
  section.id = id;
  section.append(
    el('h2', `${channel.title} (${channel.address ?? 'the URL each endpoint is configured with'})`),
    el('p', channel.description ?? ''),
  );
  for (const [name, ref] of Object.entries(channel.messages)) {
    const message = resolve(ref);
    const item = el('details');
    item.append(el('summary', `${message.title ?? name}: ${message.summary ?? ''}`));
    if (message.headers) item.append(el('h3', 'headers'), el('pre', schemaText(message.headers)));
    item.append(el('h3', 'payload'), el('pre', schemaText(message.payload)));
    section.append(item);
  }
  root.append(section);
}
