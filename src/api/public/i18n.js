// The upload page's words, in Swedish and English: the page's own texts, and a sentence for
// every code the API and its events can show a teacher (the code stays visible beside it, for
// support). Pure data and functions, no DOM: a unit test reads it in Node and fails when a code
// has no sentence in either language.

export const languages = ['sv', 'en'];

/** The language a browser asks for, when it is one of ours; else Swedish (the schools'). */
export function pickLanguage(preferred) {
  for (const tag of preferred ?? []) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (base === 'sv' || base === 'nb' || base === 'nn' || base === 'da') return 'sv';
    if (base === 'en') return 'en';
  }
  return 'sv';
}

/** `{n}`-style placeholders; a value that is `{one, other}` is picked by the number `n`. */
const texts = {
  en: {
    title: 'Essay intake',
    intro:
      "Drop a class's essays (PDF, DOCX or TXT, or scans and phone photos: JPEG, PNG, TIFF), register them as one batch, and watch each file become ready.",
    language: 'Language',
    course: 'Course code',
    courseHint: 'Codes starting with SV are spellchecked in Swedish, others in English.',
    courseInvalid: 'Use letters, digits, - and _ only, for example ENG5.',
    essays: 'Essays',
    dropHere: 'Drop files here, or choose them:',
    noneChosen: 'No files chosen yet.',
    chosen: { one: '{n} file chosen:', other: '{n} files chosen:' },
    chooseFirst: 'Choose at least one file first.',
    submit: 'Register batch and upload',
    batch: 'Batch',
    noBatch: 'No batch yet.',
    registering: 'Registering the batch…',
    uploading: { one: 'Uploading {n} file…', other: 'Uploading {n} files…' },
    processing: 'Reading the files…',
    batchId: 'Batch id (for support)',
    copy: 'Copy',
    copied: 'Copied',
    colFile: 'File',
    colUpload: 'Upload',
    colOutcome: 'Outcome',
    colSpellcheck: 'Spellcheck',
    uploadOf: 'Upload of {name}',
    waiting: 'Waiting',
    extracting: 'Reading the file…',
    finishing: 'Read, finishing…',
    ready: 'Ready',
    readyOcr: 'Ready, read by OCR from a scan or photo (confidence {n} %): check the text',
    failedUpload: 'The upload did not go through: {reason}',
    networkError: 'the connection was lost. Check the network and try again.',
    somethingWrong: 'Something went wrong: {reason}',
    // the batch summary, in parts joined by commas
    essaysReady: { one: '{n} of {total} essay ready', other: '{n} of {total} essays ready' },
    filesUnreadable: {
      one: '{n} file could not be read',
      other: '{n} files could not be read',
    },
    filesExtra: {
      one: '{n} file not counted (duplicate or late)',
      other: '{n} files not counted (duplicates or late)',
    },
    stillWaiting: { one: 'waiting for {n} more', other: 'waiting for {n} more' },
    batchReady: 'The batch is complete.',
    batchTimedOut: {
      one: 'The batch timed out: {n} essay never arrived.',
      other: 'The batch timed out: {n} essays never arrived.',
    },
    spellcheckDone: {
      one: 'Spellcheck: {done} of {n} essay checked.',
      other: 'Spellcheck: {done} of {n} essays checked.',
    },
    corrections: {
      one: '{n} correction',
      other: '{n} corrections',
    },
    noCorrections: 'No corrections',
    unknownCount: { one: '{n} unknown word', other: '{n} unknown words' },
    checkedIn: 'Checked in {lang}',
    notChecked: 'Not checked',
    spellcheckFailed: 'The spellcheck failed.',
    showCorrected: 'Show corrected text',
    showCorrectedOf: 'Show corrected text of {name}',
    correctedTitle: 'Corrected text: {name}',
    close: 'Close',
    legend: 'Removed words are struck through, added words are underlined.',
    unknownWords: 'Words left unknown',
    noUnknownWords: 'No unknown words.',
    maybe: 'perhaps: {list}',
    loading: 'Loading…',
    textUnavailable: 'The text could not be loaded: {reason}',
    langName: { en: 'English', sv: 'Swedish' },
    duplicateOf: 'Same content as “{name}”.',
    links: 'Links',
    apiReference: 'API reference',
    queueBoard: 'Queue board',
    tokenPrompt: 'This API needs a token:',
  },
  sv: {
    title: 'Inlämning av uppsatser',
    intro:
      'Släpp en klass uppsatser här (PDF, DOCX eller TXT, eller skannade sidor och mobilfoton: JPEG, PNG, TIFF), registrera dem som en omgång och se varje fil bli klar.',
    language: 'Språk',
    course: 'Kurskod',
    courseHint: 'Koder som börjar med SV rättstavas på svenska, övriga på engelska.',
    courseInvalid: 'Använd bara bokstäver, siffror, - och _, till exempel SVA1.',
    essays: 'Uppsatser',
    dropHere: 'Släpp filer här, eller välj dem:',
    noneChosen: 'Inga filer valda än.',
    chosen: { one: '{n} fil vald:', other: '{n} filer valda:' },
    chooseFirst: 'Välj minst en fil först.',
    submit: 'Registrera omgången och ladda upp',
    batch: 'Omgång',
    noBatch: 'Ingen omgång än.',
    registering: 'Registrerar omgången…',
    uploading: { one: 'Laddar upp {n} fil…', other: 'Laddar upp {n} filer…' },
    processing: 'Läser filerna…',
    batchId: 'Omgångens id (för support)',
    copy: 'Kopiera',
    copied: 'Kopierat',
    colFile: 'Fil',
    colUpload: 'Uppladdning',
    colOutcome: 'Resultat',
    colSpellcheck: 'Rättstavning',
    uploadOf: 'Uppladdning av {name}',
    waiting: 'Väntar',
    extracting: 'Läser filen…',
    finishing: 'Läst, avslutar…',
    ready: 'Klar',
    readyOcr:
      'Klar, läst med OCR från en skanning eller ett foto (säkerhet {n} %): kontrollera texten',
    failedUpload: 'Uppladdningen gick inte igenom: {reason}',
    networkError: 'anslutningen bröts. Kontrollera nätverket och försök igen.',
    somethingWrong: 'Något gick fel: {reason}',
    essaysReady: { one: '{n} av {total} uppsats klar', other: '{n} av {total} uppsatser klara' },
    filesUnreadable: {
      one: '{n} fil kunde inte läsas',
      other: '{n} filer kunde inte läsas',
    },
    filesExtra: {
      one: '{n} fil räknas inte (dubblett eller sen)',
      other: '{n} filer räknas inte (dubbletter eller sena)',
    },
    stillWaiting: { one: 'väntar på {n} till', other: 'väntar på {n} till' },
    batchReady: 'Omgången är komplett.',
    batchTimedOut: {
      one: 'Tiden för omgången gick ut: {n} uppsats kom aldrig.',
      other: 'Tiden för omgången gick ut: {n} uppsatser kom aldrig.',
    },
    spellcheckDone: {
      one: 'Rättstavning: {done} av {n} uppsats kontrollerad.',
      other: 'Rättstavning: {done} av {n} uppsatser kontrollerade.',
    },
    corrections: { one: '{n} rättelse', other: '{n} rättelser' },
    noCorrections: 'Inga rättelser',
    unknownCount: { one: '{n} okänt ord', other: '{n} okända ord' },
    checkedIn: 'Kontrollerad på {lang}',
    notChecked: 'Inte kontrollerad',
    spellcheckFailed: 'Rättstavningen misslyckades.',
    showCorrected: 'Visa rättad text',
    showCorrectedOf: 'Visa rättad text för {name}',
    correctedTitle: 'Rättad text: {name}',
    close: 'Stäng',
    legend: 'Borttagna ord är överstrukna, tillagda ord är understrukna.',
    unknownWords: 'Ord som förblev okända',
    noUnknownWords: 'Inga okända ord.',
    maybe: 'kanske: {list}',
    loading: 'Hämtar…',
    textUnavailable: 'Texten kunde inte hämtas: {reason}',
    langName: { en: 'engelska', sv: 'svenska' },
    duplicateOf: 'Samma innehåll som ”{name}”.',
    links: 'Länkar',
    apiReference: 'API-referens',
    queueBoard: 'Kööversikt',
    tokenPrompt: 'API:et kräver en nyckel (token):',
  },
};

/**
 * A sentence for every code a teacher can meet, and (`advice`) what to do about it. Groups:
 * the error taxonomy (src/shared/errors.ts), why a file is excess, why an essay was not
 * spellchecked, a phase's outcome, and the API's own error answers.
 */
const codeTexts = {
  en: {
    // the error taxonomy: a file's outcome
    FILE_TOO_LARGE: 'The file is larger than the upload limit.',
    TOO_MANY_FILES: 'Too many files were sent at once.',
    EMPTY_FILE: 'The file is empty (0 bytes).',
    UNSUPPORTED_FORMAT: 'The file is not a PDF, Word (DOCX), text file or image.',
    CORRUPTED_FILE: 'The file is damaged and could not be read.',
    ENCRYPTED_FILE: 'The file is password-protected.',
    TIMEOUT: 'Reading the file took too long.',
    EMPTY_CONTENT: 'The file has no text.',
    OCR_LOW_CONFIDENCE: 'The scan or photo could not be read with confidence.',
    CONTENT_TOO_SHORT: 'The text is too short to be an essay.',
    CONTENT_TOO_LONG: 'The text is longer than allowed.',
    PROCESSING_FAILED: 'The file could not be processed, even after several tries.',
    // why a file takes no place in its batch
    DUPLICATE_CONTENT: 'Duplicate: another file of this batch has the same content.',
    BATCH_ALREADY_COMPLETED: 'Late: the batch was already complete when this file arrived.',
    NO_AVAILABLE_SLOT: 'Over the limit: the batch already has all the essays it expected.',
    BATCH_NOT_REGISTERED: 'The batch this file was sent to is not registered.',
    // why an essay was not spellchecked
    language_unclear: 'Not checked: the language of the essay is unclear.',
    unsupported_language: 'Not checked: the essay is in neither Swedish nor English.',
    too_many_unknown_words: 'Not checked: too many words were unknown to the dictionary.',
    // a phase's outcome
    COMPLETED_SUCCESSFULLY: 'every essay was checked',
    COMPLETED_WITH_FAILURES: 'some essays could not be checked',
    FAILED_CRITICALLY: 'no essay could be checked',
    // the API's answers
    BAD_REQUEST: 'The request was not understood.',
    VALIDATION_FAILED: 'Some of the details are not valid.',
    INVALID_JSON: 'The request was not understood.',
    BODY_TOO_LARGE: 'The request is too large.',
    UNSUPPORTED_MEDIA_TYPE: 'The request has the wrong format.',
    NOT_FOUND: 'That page or resource does not exist.',
    BATCH_NOT_FOUND: 'The batch does not exist (or has expired).',
    ESSAY_NOT_FOUND: 'The essay does not exist (or has expired).',
    NOT_SPELLCHECKED: 'The essay has not been spellchecked yet.',
    INVALID_VARIANT: 'That version of the text does not exist.',
    INVALID_BATCH_ID: 'The batch id is not valid.',
    DUPLICATE_BATCH_ID: 'The upload named its batch twice.',
    BATCH_ID_FIRST: 'The upload must name its batch before its files.',
    MISSING_BATCH_ID: 'The upload named no batch.',
    NO_FILES: 'The upload carried no files.',
    INVALID_MULTIPART: 'The upload was malformed.',
    UPLOAD_ABORTED: 'The upload was interrupted.',
    UPLOAD_STALLED: 'The upload stopped sending data.',
    TOO_MANY_PARTS: 'The upload has too many parts.',
    REQUEST_TOO_LARGE: 'The upload is larger than allowed in one go.',
    BACKLOG_FULL: 'The service is busy reading other files.',
    RATE_LIMITED: 'Too many requests in a short time.',
    UNAUTHORIZED: 'The access key (token) is missing or wrong.',
    TOO_MANY_AUTH_FAILURES: 'Too many wrong access keys from this computer.',
    MISDIRECTED_REQUEST: 'The page was opened under an address the service does not answer.',
    SERVICE_UNAVAILABLE: 'The service is unavailable at the moment.',
    INTERNAL: 'The service had an internal error.',
    INVALID_LIMIT: 'The number asked for is out of range.',
    DEAD_LETTER_NOT_FOUND: 'That failed job is not recorded.',
    NOT_DEAD: 'That job is no longer failed.',
  },
  sv: {
    FILE_TOO_LARGE: 'Filen är större än vad som får laddas upp.',
    TOO_MANY_FILES: 'För många filer skickades på en gång.',
    EMPTY_FILE: 'Filen är tom (0 byte).',
    UNSUPPORTED_FORMAT: 'Filen är inte en PDF-, Word- (DOCX), text- eller bildfil.',
    CORRUPTED_FILE: 'Filen är skadad och kunde inte läsas.',
    ENCRYPTED_FILE: 'Filen är lösenordsskyddad.',
    TIMEOUT: 'Det tog för lång tid att läsa filen.',
    EMPTY_CONTENT: 'Filen är tom – den har ingen text.',
    OCR_LOW_CONFIDENCE: 'Skanningen eller fotot gick inte att läsa säkert.',
    CONTENT_TOO_SHORT: 'Texten är för kort för att vara en uppsats.',
    CONTENT_TOO_LONG: 'Texten är längre än tillåtet.',
    PROCESSING_FAILED: 'Filen kunde inte behandlas, inte ens efter flera försök.',
    DUPLICATE_CONTENT: 'Dubblett: en annan fil i omgången har samma innehåll.',
    BATCH_ALREADY_COMPLETED: 'Sen: omgången var redan komplett när filen kom.',
    NO_AVAILABLE_SLOT: 'Över gränsen: omgången har redan alla uppsatser den väntade på.',
    BATCH_NOT_REGISTERED: 'Omgången som filen skickades till är inte registrerad.',
    language_unclear: 'Inte kontrollerad: det är oklart vilket språk uppsatsen är skriven på.',
    unsupported_language: 'Inte kontrollerad: uppsatsen är varken på svenska eller engelska.',
    too_many_unknown_words: 'Inte kontrollerad: för många ord var okända för ordlistan.',
    COMPLETED_SUCCESSFULLY: 'alla uppsatser kontrollerades',
    COMPLETED_WITH_FAILURES: 'några uppsatser kunde inte kontrolleras',
    FAILED_CRITICALLY: 'ingen uppsats kunde kontrolleras',
    BAD_REQUEST: 'Förfrågan kunde inte tolkas.',
    VALIDATION_FAILED: 'Några av uppgifterna är inte giltiga.',
    INVALID_JSON: 'Förfrågan kunde inte tolkas.',
    BODY_TOO_LARGE: 'Förfrågan är för stor.',
    UNSUPPORTED_MEDIA_TYPE: 'Förfrågan har fel format.',
    NOT_FOUND: 'Sidan eller resursen finns inte.',
    BATCH_NOT_FOUND: 'Omgången finns inte (eller har gallrats).',
    ESSAY_NOT_FOUND: 'Uppsatsen finns inte (eller har gallrats).',
    NOT_SPELLCHECKED: 'Uppsatsen är inte rättstavad än.',
    INVALID_VARIANT: 'Den versionen av texten finns inte.',
    INVALID_BATCH_ID: 'Omgångens id är inte giltigt.',
    DUPLICATE_BATCH_ID: 'Uppladdningen angav sin omgång två gånger.',
    BATCH_ID_FIRST: 'Uppladdningen måste ange omgången före filerna.',
    MISSING_BATCH_ID: 'Uppladdningen angav ingen omgång.',
    NO_FILES: 'Uppladdningen innehöll inga filer.',
    INVALID_MULTIPART: 'Uppladdningen var felaktigt formad.',
    UPLOAD_ABORTED: 'Uppladdningen avbröts.',
    UPLOAD_STALLED: 'Uppladdningen slutade skicka data.',
    TOO_MANY_PARTS: 'Uppladdningen har för många delar.',
    REQUEST_TOO_LARGE: 'Uppladdningen är större än vad som får skickas på en gång.',
    BACKLOG_FULL: 'Tjänsten är upptagen med att läsa andra filer.',
    RATE_LIMITED: 'För många förfrågningar på kort tid.',
    UNAUTHORIZED: 'Åtkomstnyckeln (token) saknas eller är fel.',
    TOO_MANY_AUTH_FAILURES: 'För många felaktiga åtkomstnycklar från den här datorn.',
    MISDIRECTED_REQUEST: 'Sidan öppnades under en adress som tjänsten inte svarar på.',
    SERVICE_UNAVAILABLE: 'Tjänsten är inte tillgänglig just nu.',
    INTERNAL: 'Tjänsten fick ett internt fel.',
    INVALID_LIMIT: 'Antalet som efterfrågades är utanför gränserna.',
    DEAD_LETTER_NOT_FOUND: 'Det misslyckade jobbet finns inte registrerat.',
    NOT_DEAD: 'Jobbet är inte längre misslyckat.',
  },
};

/** What to do about a file's outcome: every code of the taxonomy and every excess reason. */
const adviceTexts = {
  en: {
    FILE_TOO_LARGE:
      'Save it smaller (for example as PDF without large images) and upload it again.',
    TOO_MANY_FILES: 'Upload the rest in another round.',
    EMPTY_FILE: 'Ask the student for the file again.',
    UNSUPPORTED_FORMAT: 'Save it as PDF, DOCX or TXT and upload it again.',
    CORRUPTED_FILE: 'Open it on your computer; if it opens, save it again as PDF and upload that.',
    ENCRYPTED_FILE: 'Remove the password (or ask the student to) and upload it again.',
    TIMEOUT: 'Save it again as PDF or TXT and upload that.',
    EMPTY_CONTENT: 'It may be a blank page or an unreadable image: ask for a text version.',
    OCR_LOW_CONFIDENCE:
      'Handwriting or a blurred photo: ask for a sharper photo or a text version.',
    CONTENT_TOO_SHORT: 'Check that it is the right file.',
    CONTENT_TOO_LONG: 'Check that it is the right file; split it if it holds several essays.',
    PROCESSING_FAILED: 'Try again later; if it persists, give support the code and batch id.',
    DUPLICATE_CONTENT: 'Nothing to do if it was sent twice; otherwise upload the right essay.',
    BATCH_ALREADY_COMPLETED: 'Register a new batch for this file.',
    NO_AVAILABLE_SLOT: 'Register a new batch for the extra files.',
    BATCH_NOT_REGISTERED: 'Register the batch first, then upload.',
  },
  sv: {
    FILE_TOO_LARGE:
      'Spara den mindre (till exempel som PDF utan stora bilder) och ladda upp den igen.',
    TOO_MANY_FILES: 'Ladda upp resten i en ny omgång.',
    EMPTY_FILE: 'Be eleven om filen igen.',
    UNSUPPORTED_FORMAT: 'Spara den som PDF, DOCX eller TXT och ladda upp den igen.',
    CORRUPTED_FILE:
      'Öppna den på din dator; går den att öppna, spara den igen som PDF och ladda upp den.',
    ENCRYPTED_FILE: 'Ta bort lösenordet (eller be eleven göra det) och ladda upp den igen.',
    TIMEOUT: 'Spara den igen som PDF eller TXT och ladda upp den.',
    EMPTY_CONTENT: 'Det kan vara en tom sida eller en oläslig bild: be om en textversion.',
    OCR_LOW_CONFIDENCE:
      'Handskrift eller ett suddigt foto: be om ett skarpare foto eller en textversion.',
    CONTENT_TOO_SHORT: 'Kontrollera att det är rätt fil.',
    CONTENT_TOO_LONG:
      'Kontrollera att det är rätt fil; dela upp den om den rymmer flera uppsatser.',
    PROCESSING_FAILED: 'Försök igen senare; kvarstår felet, ge supporten koden och omgångens id.',
    DUPLICATE_CONTENT: 'Inget att göra om den skickades två gånger; annars ladda upp rätt uppsats.',
    BATCH_ALREADY_COMPLETED: 'Registrera en ny omgång för den här filen.',
    NO_AVAILABLE_SLOT: 'Registrera en ny omgång för de extra filerna.',
    BATCH_NOT_REGISTERED: 'Registrera omgången först och ladda sedan upp.',
  },
};

export const codeSentences = codeTexts;
export const codeAdvice = adviceTexts;
export const pageTexts = texts;

function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? `{${k}}`));
}

/** A translator for one language: `t(key, params)`, `t.code(code)`, `t.advice(code)`. */
export function translator(lang) {
  const pick = languages.includes(lang) ? lang : 'sv';
  const plural = new Intl.PluralRules(pick);
  const t = (key, params = {}) => {
    let value = texts[pick][key];
    if (value === undefined) return key;
    if (typeof value === 'object') value = value[plural.select(params.n ?? 0)] ?? value.other;
    return fill(value, params);
  };
  t.lang = pick;
  /** The sentence for a code; an unknown code (a newer server) reads as itself. */
  t.code = (code) => codeTexts[pick][code] ?? code;
  t.advice = (code) => adviceTexts[pick][code] ?? '';
  t.langName = (l) => texts[pick].langName[l] ?? l;
  return t;
}
