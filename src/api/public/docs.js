// Renders /openapi.json as a plain reference: every path, its operations, parameters and answers.
import { el } from '/dom.js';

const spec = await fetch('/openapi.json').then((r) => r.json());
const root = document.getElementById('paths');
const schemaText = (schema) => JSON.stringify(schema, null, 2);
for (const [path, ops] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(ops)) {
    const section = el('section', undefined, 'op');
    section.append(el('h2', `${method.toUpperCase()} ${path}`), el('p', op.summary ?? ''));
    for (const p of op.parameters ?? [])
      section.append(el('p', `${p.in} parameter ${p.name}${p.required ? ' (required)' : ''}`));
    const body = op.requestBody?.content;
    if (body)
      for (const [type, c] of Object.entries(body))
        section.append(el('h3', `request ${type}`), el('pre', schemaText(c.schema)));
    for (const [status, r] of Object.entries(op.responses ?? {})) {
      section.append(el('h3', `${status}: ${r.description}`));
      for (const [type, c] of Object.entries(r.content ?? {}))
        section.append(el('pre', `${type}\n${schemaText(c.schema)}`));
    }
    root.append(section);
  }
}
const components = el('section', undefined, 'op');
components.append(el('h2', 'Schemas'));
for (const [name, schema] of Object.entries(spec.components?.schemas ?? {}))
  components.append(el('h3', name), el('pre', schemaText(schema)));
root.append(components);
