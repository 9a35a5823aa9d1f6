import { franc } from 'franc-min';
import type { Language } from '../../shared/batches/types.js';

export type SkipReason = 'language_unclear' | 'unsupported_language' | 'too_many_unknown_words';

export interface LanguageChoice {
  /** What the essay is written in, when the detector and the dictionaries agree; else `und`. */
  detected: Language | 'und';
  /** The language to check in, or none (then `skipped` says why). */
  checked: Language | null;
  skipped: { reason: SkipReason; message: string } | null;
}

/** franc-min is right on every sample from 15 words up, restricted to the languages we check. */
export const MIN_DETECT_WORDS = 15;
/** Over half the words unknown: not the language of that dictionary at all. */
const FOREIGN_RATIO = 0.5;
const FRANC: Record<string, Language> = { eng: 'en', swe: 'sv' };

/**
 * Picks the language an essay is checked in. The course's language is the prior; the detector
 * (franc-min, only English and Swedish) overrides it when the dictionaries agree with it, that is
 * when the detected language's dictionary knows the essay's words (`unknownRatio` at most
 * `maxUnknownRatio`). An essay whose checked language does not know that many of its words is not
 * corrected at all: correcting it would rewrite a foreign language into this one.
 */
export function chooseLanguage(
  text: string,
  words: number,
  prior: Language,
  unknownRatio: (language: Language) => number,
  maxUnknownRatio: number,
): LanguageChoice {
  const franced =
    words >= MIN_DETECT_WORDS ? FRANC[franc(text, { only: Object.keys(FRANC) })] : undefined;
  const detected = franced && unknownRatio(franced) <= maxUnknownRatio ? franced : 'und';
  const checked = detected === 'und' ? prior : detected;
  const ratio = unknownRatio(checked);
  const other: Language = checked === 'en' ? 'sv' : 'en';
  // a few words with a typo or two are too little to judge by: the course's language stands
  // unless the other language knows them better
  const short = words < MIN_DETECT_WORDS;
  if (ratio <= maxUnknownRatio || (short && ratio < FOREIGN_RATIO && unknownRatio(other) >= ratio))
    return { detected, checked, skipped: null };
  const percent = `${Math.round(ratio * 100)}% of its words are unknown to the ${checked === 'en' ? 'English' : 'Swedish'} dictionary`;
  const skip = (reason: SkipReason, message: string): LanguageChoice => ({
    detected,
    checked: null,
    skipped: { reason, message },
  });
  if (ratio >= FOREIGN_RATIO && unknownRatio(other) >= FOREIGN_RATIO)
    return skip('unsupported_language', `not in English or Swedish: ${percent}`);
  if (short)
    return skip(
      'language_unclear',
      `too short to tell its language (${words} words) and ${percent}`,
    );
  return skip(
    'too_many_unknown_words',
    `${percent} (more than ${Math.round(maxUnknownRatio * 100)}%): left as written`,
  );
}
