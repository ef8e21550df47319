import type { LoadAttachment } from '../../src/domain/model/adapter.ts';

// For adapter tests whose replies carry no files: AdapterDeps.loadAttachment that fails the test if it is called.
// Tests of reply attachments use core's own loader (src/domain/files/attachment-loader.ts) instead.

export const noAttachments: LoadAttachment = async (ref) => {
  throw new Error(`this test sends no attachments, yet ${ref.filename} was loaded`);
};
