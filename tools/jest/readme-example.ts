// Runs a package README's ```ts examples (each as the body of an async
// function, so top-level `await` works) and checks each `// -> value` comment
// against what that line printed, so the documentation cannot drift from the
// code. Every example with at least one `// ->` comment is run, each as its
// own test; an example without one is a fragment (it names values defined
// elsewhere) and is only shown. Use from a package test:
// `testReadmeExamples(join(__dirname, '..'), require)`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import ts from 'typescript';

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
  examples.forEach((source, i) => {
    it(`README example ${i + 1} runs and prints what its comments say`, async () => {
      const expected = [...source.matchAll(/\/\/ -> (.*)$/gm)].map((m) => m[1]);
      expect(await run(source, req)).toEqual(expected);
    });
  });
}
