import { randomBytes, randomUUID } from 'node:crypto';

/** Randomness, passed in so tests can make it repeatable. Production uses the OS CSPRNG. */
export interface RandomSource {
  bytes(length: number): Buffer;
  uuid(): string;
}

export const cryptoRandom: RandomSource = { bytes: randomBytes, uuid: randomUUID };
