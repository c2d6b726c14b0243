/** cluster-key-slot 1.1.1 (the one ioredis routes by) ships no types: its default export. */
declare module 'cluster-key-slot' {
  /** The Redis Cluster slot (0–16383) of `key`, honouring its `{hash tag}`. */
  export default function calculateSlot(key: string | Buffer): number;
}
