// Types for the CRC-32C (Castagnoli) half of the `crc-32` package, which ships types for its CRC-32 only.
declare module 'crc-32/crc32c.js' {
  const crc32c: { buf(data: Uint8Array, seed?: number): number; str(data: string, seed?: number): number };
  export default crc32c;
}
