// Runs a package README's ```ts examples (each as the body of an async
// function, so top-level `await` works) and checks each `// -> value` comment
// against what that line printed, so the documentation cannot drift from the
// code. A `// e.g. value` comment marks a print that depends on the machine
// (which engines load, GPU or not): the line must print, but what it prints
// is not compared. Every example with at least one `// ->` comment is run,
// each as its own test, and type-checked against the packages' sources with
// the repository's compiler options; an example without one is a fragment (it
// names values defined elsewhere) and is only shown. Use from a package test:
// `testReadmeExamples(join(__dirname, '..'), require)`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import ts from 'typescript';

const REPO = join(__dirname, '..', '..');

/**
 * An example as a CommonJS module, like the packages' own sources: its imports
 * at the top, the rest as the body of an exported async function (so top-level
 * `await` checks without making the example an ES module, whose view of a
 * dual package such as fast-check differs from the packages' view).
 */
function asFunctionModule(source: string): string {
  const file = ts.createSourceFile('example.ts', source, ts.ScriptTarget.ES2022);
  const imports = file.statements.filter(ts.isImportDeclaration);
  const rest = file.statements.filter((st) => !ts.isImportDeclaration(st));
  return (
    imports.map((st) => st.getText(file)).join('\n') +
    '\nexport async function example(): Promise<void> {' +
    rest.map((st) => st.getFullText(file)).join('') +
    '\n}\n'
  );
}

/** Type errors of the examples, one line each (`example 2, at \`code\`: message`); empty when they check. */
function typeErrors(examples: readonly string[], packageDir: string): string[] {
  const base = ts.readConfigFile(join(REPO, 'tsconfig.base.json'), ts.sys.readFile).config;
  const { options } = ts.convertCompilerOptionsFromJson(base.compilerOptions, REPO);
  // unused names are fine in an example
  const compilerOptions = { ...options, noEmit: true, noUnusedLocals: false, baseUrl: REPO };
  const files = new Map(
    examples.map((src, i) => [
      join(packageDir, `README.example-${i + 1}.ts`),
      asFunctionModule(src),
    ]),
  );
  const host = ts.createCompilerHost(compilerOptions);
  const { getSourceFile, fileExists } = host;
  host.getSourceFile = (name, language, ...rest) => {
    const src = files.get(name);
    return src === undefined
      ? getSourceFile.call(host, name, language, ...rest)
      : ts.createSourceFile(name, src, language);
  };
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  const program = ts.createProgram([...files.keys()], compilerOptions, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.has(d.file.fileName))
    .map((d) => {
      const file = d.file!;
      const { line } = file.getLineAndCharacterOfPosition(d.start ?? 0);
      const code = file.text.split('\n')[line].trim();
      const example = [...files.keys()].indexOf(file.fileName) + 1;
      return `example ${example}, at \`${code}\`: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
}

/** Runs one example's source and returns what it printed, one string per `console.log`. */
async function run(source: string, req: NodeJS.Require): Promise<string[]> {
  const printed: string[] = [];
  const log = (...args: unknown[]): void => {
    printed.push(args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' '));
  };
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const AsyncFunction = Object.getPrototypeOf(async () => undefined)
    .constructor as FunctionConstructor;
  await new AsyncFunction('require', 'console', 'exports', outputText)(req, { log }, {});
  return printed;
}

export function testReadmeExamples(packageDir: string, req: NodeJS.Require): void {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
    .map((m) => m[1])
    .filter((source) => /\/\/ -> /.test(source));
  it('README has at least one checked example', () => {
    expect(examples.length).toBeGreaterThan(0);
  });
  it('README examples type-check', () => {
    expect(typeErrors(examples, packageDir)).toEqual([]);
  });
  examples.forEach((source, i) => {
    it(`README example ${i + 1} runs and prints what its comments say`, async () => {
      const expected = [...source.matchAll(/\/\/ (->|e\.g\.) (.*)$/gm)].map(([, mark, text]) =>
        mark === '->' ? text : expect.any(String),
      );
      expect(await run(source, req)).toEqual(expected);
    });
  });
}
