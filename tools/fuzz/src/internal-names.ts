/**
 * What must never reach a user: stack frames, "internal error", paths of
 * our sources, and identifiers from the code (camelCase names such as
 * `removalGains`). A camelCase word is allowed only when the user typed it
 * (it is in the case's arguments) or it is a `sublora-pinn` configuration
 * key, which users write with `--set`.
 */

const STACK_OR_INTERNAL = [
  /\n\s+at /,
  /internal error/i,
  /please report/i,
  /node_modules/,
  /\b(?:src|dist)\/[\w/-]+\.(?:ts|js)\b/,
  /\.(?:ts|js):\d+/,
  /\b(?:TypeError|RangeError|ReferenceError|SyntaxError|Error):/,
];

const CAMEL_CASE = /\b[a-z]+(?:[A-Z][a-z0-9]*)+\b/g;

/** The internal names in `message`, given the arguments and the allowed vocabulary. */
export function internalNames(
  message: string,
  args: readonly string[],
  allowed: ReadonlySet<string>,
): string[] {
  const found = STACK_OR_INTERNAL.filter((p) => p.test(message)).map((p) => String(p));
  const typed = args.join(' ');
  for (const word of message.match(CAMEL_CASE) ?? []) {
    if (!typed.includes(word) && !allowed.has(word)) found.push(word);
  }
  return found;
}
