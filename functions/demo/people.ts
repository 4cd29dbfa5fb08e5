import type { Random } from './random.js';

/** Someone who appears in the demo data: a customer or a staff member, with the number the API gives them. */
export interface Person {
  readonly id: string;
  readonly name: string;
}

/** The customers and agents one generator draws from, so that the same people come back in many records. */
export interface Cast {
  readonly customers: readonly Person[];
  readonly agents: readonly Person[];
}

// prettier-ignore
const FIRST_NAMES = [
  'Ayşe', 'Fatma', 'Zeynep', 'Elif', 'Özge', 'Gülşen', 'Şule', 'Çiğdem', 'Büşra', 'Müge', 'Gözde', 'Işıl', 'İpek',
  'Ümran', 'Tuğba', 'Mehmet', 'Mustafa', 'Ahmet', 'Hüseyin', 'İbrahim', 'İsmail', 'Ömer', 'Ümit', 'Çağrı', 'Barış',
  'Doğan', 'Gökhan', 'Oğuz', 'Şükrü', 'Ali',
];

// prettier-ignore
const SURNAMES = [
  'Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Yıldız', 'Yıldırım', 'Öztürk', 'Aydın', 'Özdemir', 'Arslan',
  'Doğan', 'Kılıç', 'Çetin', 'Koç', 'Kurt', 'Şimşek', 'Ünal', 'Güneş', 'Erdoğan', 'Ağaoğlu', 'Çakır', 'Işık',
  'İnce', 'Türkmen', 'Gündoğdu', 'Karagöz',
];

const CUSTOMER_POOL_SIZE = 60;
const AGENT_POOL_SIZE = 15;

/** 60 customers (8-digit customer numbers) and 15 agents (6-digit staff numbers), with realistic Turkish names. */
export function createCast(random: Random): Cast {
  return {
    customers: createPeople(random, CUSTOMER_POOL_SIZE, () => String(random.int(10_000_000, 99_999_999))),
    agents: createPeople(random, AGENT_POOL_SIZE, () => String(random.int(100_000, 999_999))),
  };
}

function createPeople(random: Random, size: number, newId: () => string): Person[] {
  const ids = new Set<string>();
  while (ids.size < size) ids.add(newId());
  return [...ids].map((id) => ({ id, name: personName(random) }));
}

/** A realistic Turkish full name, sometimes with two first names, sometimes in upper case. */
export function personName(random: Random): string {
  const first = random.chance(0.15)
    ? `${random.pick(FIRST_NAMES)} ${random.pick(FIRST_NAMES)}`
    : random.pick(FIRST_NAMES);
  const name = `${first} ${random.pick(SURNAMES)}`;
  // Some core-banking systems keep names in upper case; tr-TR casing turns i into İ and ğ into Ğ.
  return random.chance(0.2) ? name.toLocaleUpperCase('tr-TR') : name;
}
