import type { Faker } from "@faker-js/faker";
import { faker as english } from "@faker-js/faker/locale/en";

/**
 * A Faker of its own (its own seed) with the English locale. Made from the class of the English entry point's
 * instance: the package's main entry, which exports the class, loads every locale (~30 MB in each isolate).
 */
export function englishFaker(seed: number | number[]): Faker {
  const FakerClass = english.constructor as new (options: { locale: Faker["rawDefinitions"] }) => Faker;
  const faker = new FakerClass({ locale: english.rawDefinitions });
  faker.seed(seed);
  return faker;
}
