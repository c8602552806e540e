/** Characters outside XML 1.0's Char production (control characters, lone surrogates, U+FFFE/U+FFFF). */
const INVALID_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Escapes text for XML element content or a double-quoted attribute and drops characters XML 1.0 cannot carry.
 * Newlines and tabs are kept in content and encoded in attributes (parsers would normalise them to spaces).
 *
 * @example `<failure message="${xmlEscape(reason, true)}">${xmlEscape(body)}</failure>`
 */
export function xmlEscape(text: string, attribute = false): string {
  const escaped = text
    .replace(INVALID_XML_CHARS, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
  return attribute ? escaped.replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;") : escaped.replace(/\r/g, "&#13;");
}
