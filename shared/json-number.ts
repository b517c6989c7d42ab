/**
 * A number from Vault's JSON that keeps the digits as written, because Go
 * templates print json.Number as its original text (`1e3` stays `1e3`,
 * `10.50` stays `10.50`). Engines print `text`; arithmetic uses `value`.
 */
export class JsonNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  get value(): number {
    return Number(this.text);
  }
  toString(): string {
    return this.text;
  }
  toJSON(): unknown {
    return this.value;
  }
}
