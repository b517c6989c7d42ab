/**
 * The part of tar-stream's API the image builder uses (the package ships no
 * types). tar-stream writes USTAR headers, with PAX headers for long names.
 */
declare module "tar-stream" {
  export interface Headers {
    name: string;
    size?: number;
    mode?: number;
    mtime?: Date;
    type?: "file" | "directory" | "symlink";
    linkname?: string;
    uid?: number;
    gid?: number;
  }
  export interface Pack {
    entry(header: Headers, buffer: Uint8Array, callback: (err?: Error | null) => void): void;
    entry(header: Headers, callback: (err?: Error | null) => void): void;
    finalize(): void;
    on(event: "data", listener: (chunk: Uint8Array) => void): this;
    on(event: "end", listener: () => void): this;
    on(event: "error", listener: (err: Error) => void): this;
  }
  export function pack(): Pack;
  const tarStream: { pack: typeof pack };
  export default tarStream;
}
