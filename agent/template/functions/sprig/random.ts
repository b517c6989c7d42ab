/**
 * Sprig's random values, from Node's CSPRNG: strings of a character class
 * (a negative length gives "", as Sprig ignores goutils' error), randInt in
 * [min, max) and a rune shuffle. Tests check their shape, not their value.
 */
import { randomInt } from "node:crypto";
import { FunctionError } from "../types.ts";
import { checkText } from "./limits.ts";

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");

function from(chars: string): (count: number) => string {
  return (count) => {
    checkText(count);
    let out = "";
    for (let i = 0; i < count; i++) out += chars[randomInt(chars.length)];
    return out;
  };
}

export const randAlphaNum = from(UPPER + LOWER + DIGITS);
export const randAlpha = from(UPPER + LOWER);
export const randNumeric = from(DIGITS);
export const randAscii = from(ASCII);

export function randInt(min: number, max: number): number {
  if (max - min <= 0) throw new FunctionError("invalid argument to Intn");
  return min + Math.floor(Math.random() * (max - min));
}

export function shuffle(s: string): string {
  const runes = [...s];
  for (let i = runes.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [runes[i], runes[j]] = [runes[j]!, runes[i]!];
  }
  return runes.join("");
}
