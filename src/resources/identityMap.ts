/**
 * The node's identity map: one object per resource id while that object is alive. It holds the
 * objects weakly, so a resource nobody holds (a proposal a scorer dropped, a batch long done, a
 * closed agreement the user let go) is collected; asking for it again by id then makes a fresh
 * object. What must outlive its users (resources the node closes on `close()`) the node holds
 * strongly elsewhere.
 *
 * @module
 */
import type { Resource } from './Resource.js';

/** Resources by `kind:id`, held weakly. */
export class IdentityMap {
  private readonly refs = new Map<string, WeakRef<Resource>>();
  private readonly finalizer = new FinalizationRegistry<string>((key) => {
    // The entry may have been replaced by a newer object since: remove only a dead one.
    if (this.refs.get(key)?.deref() === undefined) this.refs.delete(key);
  });

  /** The live object for `key`, if any. */
  get(key: string): Resource | undefined {
    return this.refs.get(key)?.deref();
  }

  /** Records `resource` as the object for `key`. */
  set(key: string, resource: Resource): void {
    this.refs.set(key, new WeakRef(resource));
    this.finalizer.register(resource, key);
  }

  /** Every live resource. */
  *values(): IterableIterator<Resource> {
    for (const ref of this.refs.values()) {
      const resource = ref.deref();
      if (resource !== undefined) yield resource;
    }
  }

  /** How many entries are held (live or not yet finalised). */
  get size(): number {
    return this.refs.size;
  }
}
