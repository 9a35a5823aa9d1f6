// An essay's corrected text against its original, each change highlighted: the words as the
// student wrote them struck through, the spellchecker's replacements underlined (jsdiff, served
// from this origin as /vendor/diff.min.js), then the words it left unknown.
import { el } from './dom.js';
import { unknownWords } from './results.js';

const $ = (id) => document.getElementById(id);

export class CorrectedView {
  /** @param {(path: string) => Promise<Response>} api */
  constructor(api) {
    this.api = api;
    this.dialog = $('corrected');
    this.entry = null;
    this.opener = null;
    this.texts = null;
    $('close-corrected').addEventListener('click', () => this.dialog.close());
    // focus goes back to the button that opened it (a keyboard user keeps their place)
    this.dialog.addEventListener('close', () => this.opener?.focus());
  }

  async open(entry, opener, t) {
    this.entry = entry;
    this.opener = opener;
    this.texts = null;
    this.draw(t);
    this.dialog.showModal();
    try {
      const [original, corrected] = await Promise.all(
        ['original', 'corrected'].map(async (variant) => {
          const res = await this.api(`/v1/essays/${entry.essayId}/text?variant=${variant}`);
          if (!res.ok) {
            const code = (await res.json().catch(() => ({}))).error?.code;
            throw Object.assign(new Error(code ?? String(res.status)), { code });
          }
          return res.text();
        }),
      );
      this.texts = { original, corrected };
    } catch (err) {
      this.texts = { error: err.code ?? err.message };
    }
    if (this.entry === entry) this.draw(this.t);
  }

  /** Drawn again on a language switch while open. */
  draw(t) {
    this.t = t;
    const entry = this.entry;
    if (!entry) return;
    const d = entry.spell;
    $('corrected-title').textContent = t('correctedTitle', { name: entry.name });
    const lang = d.language_checked ?? d.language;
    $('corrected-lang').textContent = lang ? t('checkedIn', { lang: t.langName(lang) }) : '';
    const box = $('corrected-text');
    if (!this.texts) box.replaceChildren(el('p', t('loading')));
    else if (this.texts.error)
      box.replaceChildren(
        el('p', t('textUnavailable', { reason: t.code(this.texts.error) }), 'failed'),
      );
    else box.replaceChildren(...diffNodes(this.texts.original, this.texts.corrected));
    const list = unknownWords(d);
    $('unknown-words').replaceChildren(
      ...(list.length
        ? list.map((w) => {
            const li = el('li');
            li.append(el('span', w.word, 'unknown'));
            if (w.suggestions?.length)
              li.append(' — ', t('maybe', { list: w.suggestions.slice(0, 3).join(', ') }));
            return li;
          })
        : [el('li', t('noUnknownWords'))]),
    );
  }
}

/** The texts' word-level differences as nodes: del for the student's, ins for the fix. */
function diffNodes(original, corrected) {
  return globalThis.Diff.diffWordsWithSpace(original, corrected).map((part) =>
    part.removed
      ? el('del', part.value)
      : part.added
        ? el('ins', part.value)
        : el('span', part.value),
  );
}
