import { isHighSurrogate as isHigh, isLowSurrogate as isLow } from '../../shared/text.js';

/**
 * A linear scan of a raw JSON body, run before it is parsed: refuses nesting deeper than a
 * limit (the validator recurses per level, and a 1,500-deep array overflowed its stack) and
 * `\u` escapes that encode a lone surrogate (valid JSON, but not text: validators and file
 * systems choke on it). The structural characters are ASCII, so bytes of UTF-8 text can be
 * scanned as they are; raw bytes cannot encode a surrogate (the decoder replaces them).
 */
export type JsonProblem = 'too-deep' | 'lone-surrogate';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

function hex4(buf: Uint8Array, at: number): number {
  if (at + 4 > buf.length) return -1;
  const s = String.fromCharCode(buf[at]!, buf[at + 1]!, buf[at + 2]!, buf[at + 3]!);
  return /^[0-9a-fA-F]{4}$/.test(s) ? parseInt(s, 16) : -1;
}

/** The first problem of the body, or null. Malformed JSON is left to the parser to report. */
export function jsonProblem(buf: Uint8Array, maxDepth: number): JsonProblem | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (inString) {
      if (c === QUOTE) inString = false;
      else if (c === BACKSLASH) {
        if (buf[i + 1] === 0x75 /* u */) {
          const unit = hex4(buf, i + 2);
          if (isLow(unit)) return 'lone-surrogate';
          if (isHigh(unit)) {
            const next = buf[i + 6] === BACKSLASH && buf[i + 7] === 0x75 ? hex4(buf, i + 8) : -1;
            if (!isLow(next)) return 'lone-surrogate';
            i += 6; // the pair's second escape is consumed with the first
          }
          i += 5;
        } else i++; // any other escape: skip the escaped character
      }
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return 'too-deep';
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return null;
}
