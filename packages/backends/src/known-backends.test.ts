import { backendDescriptor as onnxruntime } from '@sublora/backend-onnxruntime';
import { backendDescriptor as tfjs } from '@sublora/backend-tfjs';
import { referenceDescriptor } from '@sublora/tensor';
import { KNOWN_BACKENDS, type KnownBackend } from './known-backends';
import { loadDescriptor } from './load';

describe('KNOWN_BACKENDS', () => {
  // The table repeats what each package's descriptor says, for when the package
  // is absent; this keeps the two from drifting apart.
  it.each([referenceDescriptor, tfjs, onnxruntime])(
    "row '$family' matches the descriptor its package exports",
    (descriptor) => {
      const row: KnownBackend = KNOWN_BACKENDS[descriptor.family as keyof typeof KNOWN_BACKENDS];
      expect(row.pkg).toBe(descriptor.packageName);
      expect([...row.variants]).toEqual([...descriptor.variants]);
      expect(row.install).toBe(descriptor.install);
      expect(row.variantInstall).toEqual(descriptor.variantInstall);
    },
  );

  it('has a row for every descriptor found, and finds the installed ones', () => {
    expect(Object.keys(KNOWN_BACKENDS)).toEqual(['reference', 'tfjs', 'onnxruntime']);
    for (const family of ['reference', 'tfjs', 'onnxruntime'] as const) {
      const found = loadDescriptor(family);
      expect(found._tag === 'Right' && found.right.family).toBe(family);
    }
  });
});
