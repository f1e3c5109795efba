import type { Migration } from '../migration.js';
import { identities } from './0001-identities.js';
import { sessions } from './0002-sessions.js';
import { selfserviceFlows } from './0003-selfservice-flows.js';

/** Every migration, in order. A new migration is one file and one line here. */
export const migrations: readonly Migration[] = [identities, sessions, selfserviceFlows];
