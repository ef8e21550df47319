// Where attachment bytes live. Rows in `attachments` hold only the key; the store holds the bytes.
// An interface (not a base class) so a missing method in a new store (S3, GCS…) is a compile error.

export interface StoredBlob {
  /** Opaque to callers; derived from the content, so equal bytes get equal keys. */
  key: string;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  size: number;
}

export interface BlobEntry {
  key: string;
  /** When it was last put: a put of bytes already stored renews it (the orphan sweep's grace counts from here). */
  storedAt: Date;
}

export interface BlobStore {
  /**
   * Stores the bytes durably before resolving (a message row that names the key may commit right after).
   * `contentType` is for stores that keep it on the object (S3); content-addressed local files ignore it.
   */
  put(bytes: Uint8Array, contentType: string): Promise<StoredBlob>;
  /**
   * The bytes under `key`, or null when there are none (unknown or malformed key). Backed by a plain (not shared)
   * ArrayBuffer, so they can be a response body as they are.
   */
  get(key: string): Promise<Uint8Array<ArrayBuffer> | null>;
  /** Every blob, in no particular order: for the sweep of blobs no attachment names (src/domain/files/orphan-blobs.ts). */
  list(): AsyncIterable<BlobEntry>;
  /**
   * Deletes the blob if it was last put before `cutoff`. A put of the same bytes racing the delete wins: the
   * blob is kept (or written again). True when it was deleted.
   */
  deleteIfStoredBefore(key: string, cutoff: Date): Promise<boolean>;
}
