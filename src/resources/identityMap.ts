/**
 * The node's identity map: one object per resource id while that object is alive. It holds the
 * objects weakly, so a resource nobody holds (a proposal a scorer dropped, a batch long done, a
 * closed agreement the user let go) is collected; asking for it again by id then makes a fresh
 * object. What must outlive its users (resources the node closes on `close()`) the node holds
 * strongly elsewhere.
 *
 * A demand may bring tens of thousands of proposals a second, so an entry is cheap: one map per
 * kind keyed by the id as it came (no `kind:id` string to build and hash), holding the
 * resource's own `WeakRef` (shared with its parent's child list); a finalizer per kind drops the
 * entry of a collected object.
 *
 * @module
 */
import type { Resource } from './Resource.js';

/** The entries of one kind, and the registry that drops an entry when its object is collected. */
interface KindMap {
  readonly refs: Map<string, WeakRef<Resource>>;
  readonly finalizer: FinalizationRegistry<string>;
}

/** Resources by kind and id, held weakly. */
export class IdentityMap {
  private readonly kinds = new Map<string, KindMap>();

  /** The live object of `kind` with `id`, if any. */
  get(kind: string, id: string): Resource | undefined {
    return this.kinds.get(kind)?.refs.get(id)?.deref();
  }

  /** Records `resource` as the object of `kind` with `id`. */
  set(kind: string, id: string, resource: Resource): void {
    let entries = this.kinds.get(kind);
    if (entries === undefined) {
      const refs = new Map<string, WeakRef<Resource>>();
      const finalizer = new FinalizationRegistry<string>((collected) => {
        // The entry may have been replaced by a newer object since: remove only a dead one.
        if (refs.get(collected)?.deref() === undefined) refs.delete(collected);
      });
      entries = { refs, finalizer };
      this.kinds.set(kind, entries);
    }
    entries.refs.set(id, resource.weakRef);
    entries.finalizer.register(resource, id);
  }

  /** Every live resource. */
  *values(): IterableIterator<Resource> {
    for (const { refs } of this.kinds.values()) {
      for (const ref of refs.values()) {
        const resource = ref.deref();
        if (resource !== undefined) yield resource;
      }
    }
  }

  /** How many entries are held (live or not yet finalised). */
  get size(): number {
    let size = 0;
    for (const { refs } of this.kinds.values()) size += refs.size;
    return size;
  }
}
