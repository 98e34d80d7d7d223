/**
 * Builder output is written by whatever runs in the source image, so a stored log can carry terminal escape
 * sequences: ones that retitle the window, rewrite earlier lines, set hyperlinks, or (on some terminals) answer back
 * with input. Printed to an operator's terminal they must be inert. This removes escape sequences (CSI, OSC, DCS
 * and the like), other C0 and C1 control characters except tab and newline, carriage returns that rewrite a line,
 * and bidirectional overrides that make text read differently than it is stored.
 */
const ESCAPES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this finds
  /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[PX^_][^\u001b]*(?:\u001b\\)?|[@-Z\\-_]|.?)/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: and so are the single control characters
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function stripTerminalControls(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ESCAPES, '').replace(CONTROLS, '');
}
