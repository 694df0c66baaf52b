export const isHighSurrogate = (u: number): boolean => u >= 0xd800 && u <= 0xdbff;
export const isLowSurrogate = (u: number): boolean => u >= 0xdc00 && u <= 0xdfff;

/** Whether a string is well-formed UTF-16: every surrogate is half of a pair. */
export function isWellFormedText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (isHighSurrogate(u)) {
      if (!isLowSurrogate(s.charCodeAt(i + 1))) return false;
      i++;
    } else if (isLowSurrogate(u)) return false;
  }
  return true;
}
