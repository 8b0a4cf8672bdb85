// Runs a package README's first ```ts example (as the body of an async
// function, so top-level `await` works) and checks each `// -> value` comment
// against what that line printed, so the documentation cannot drift from the
// code. Use from a package test: `testReadmeExample(join(__dirname, '..'))`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import ts from 'typescript';

export function testReadmeExample(packageDir: string, req: NodeJS.Require): void {
  it('README example runs and prints what its comments say', async () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const source = /```ts\n([\s\S]*?)```/.exec(readme)![1];
    const expected = [...source.matchAll(/\/\/ -> (.*)$/gm)].map((m) => m[1]);
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
    expect(expected.length).toBeGreaterThan(0);
    expect(printed).toEqual(expected);
  });
}
