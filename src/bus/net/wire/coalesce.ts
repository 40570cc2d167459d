import { REFERENCED_ATTACHMENT_BYTES, type EncodedFrame } from './codec.js';

/** The last batch coalesced, kept until the end of the tick for the other peers that got the same. */
let shared: { readonly frames: readonly EncodedFrame[]; readonly chunks: readonly Uint8Array[] } | undefined;
let clearScheduled = false;

function clearShared(): void {
  shared = undefined;
  clearScheduled = false;
}

function sameFrames(a: readonly EncodedFrame[], b: readonly EncodedFrame[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The bytes of a batch of frames (written to one socket in one go) as few buffers as possible:
 * each run of small parts (heads, small attachments) joined into one buffer, each large part
 * (from {@link REFERENCED_ATTACHMENT_BYTES}) kept as it is, never copied. A batch of the very
 * same frames as the previous one in this tick (a broadcast's frames, batched for each of its
 * peers) gets the very same buffers: the join is done once, whatever the number of peers.
 */
export function coalesce(frames: readonly EncodedFrame[]): readonly Uint8Array[] {
  if (frames.length === 1) return frames[0]!.parts;
  if (shared !== undefined && sameFrames(shared.frames, frames)) return shared.chunks;
  const chunks: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  let runBytes = 0;
  const endRun = (): void => {
    if (run.length === 1) chunks.push(run[0]!);
    else if (run.length > 1) chunks.push(Buffer.concat(run, runBytes));
    run = [];
    runBytes = 0;
  };
  for (const frame of frames) {
    for (const part of frame.parts) {
      if (part.byteLength >= REFERENCED_ATTACHMENT_BYTES) {
        endRun();
        chunks.push(part);
      } else {
        run.push(part);
        runBytes += part.byteLength;
      }
    }
  }
  endRun();
  shared = { frames, chunks };
  if (!clearScheduled) {
    clearScheduled = true;
    process.nextTick(clearShared);
  }
  return chunks;
}
