import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/config/object-path.js';
import {
  type TraitsValidationCause,
  TraitsValidationError,
} from '../../../src/identity/schema/traits-validation-error.js';
import {
  addTraitsValidationMessages,
  loginIdentifierLabel,
  traitNodes,
} from '../../../src/selfservice/flow/traits-nodes.js';
import { UiContainer } from '../../../src/selfservice/flow/ui-container.js';
import type { UiNode } from '../../../src/selfservice/flow/ui-node.js';
import { uiNodeToJSON } from '../../../src/selfservice/flow/ui-node.js';
import { loadInline, PORTAL_SCHEMA, traitsSchema } from '../../identity/schema/schema-fixtures.js';

const portal = JSON.parse(readFileSync(PORTAL_SCHEMA, 'utf8')) as JsonObject;
const written = (nodes: readonly UiNode[]) => JSON.parse(JSON.stringify(nodes.map(uiNodeToJSON)));
const attributesOf = (nodes: readonly UiNode[]) => written(nodes).map((node: UiNode) => node.attributes);

describe('trait inputs of the portal schema', () => {
  it('are one required email input labelled by its title, as Kratos renders it', () => {
    expect(JSON.stringify(traitNodes(portal, 'default').map(uiNodeToJSON))).toBe(
      JSON.stringify([
        {
          type: 'input',
          group: 'default',
          attributes: {
            name: 'traits.email',
            type: 'email',
            required: true,
            autocomplete: 'email',
            disabled: false,
            node_type: 'input',
          },
          messages: [],
          meta: {
            label: {
              id: 1070002,
              text: 'E-Mail',
              type: 'info',
              context: { name: 'traits.email', title: 'E-Mail' },
            },
          },
        },
      ]),
    );
  });

  it('sit in the group the strategy asks for (settings shows traits under profile)', () => {
    expect(traitNodes(portal, 'profile').map((node) => node.group)).toEqual(['profile']);
  });

  it('are new objects on every call', () => {
    traitNodes(portal, 'default')[0]!.messages.push({ id: 1, text: 'x', type: 'info' });
    expect(traitNodes(portal, 'default')[0]!.messages).toEqual([]);
  });
});

describe('trait inputs of other schemas', () => {
  it('Kratos’ profile stub: types from the JSON type, no autocomplete or length limits copied', () => {
    // selfservice/strategy/profile/stub/identity.schema.json; its snapshot lists the same inputs.
    const schema = traitsSchema({
      email: {
        type: 'string',
        'ory.sh/kratos': { credentials: { password: { identifier: true } }, verification: { via: 'email' } },
      },
      stringy: { type: 'string' },
      numby: { type: 'number' },
      booly: { type: 'boolean' },
      should_big_number: { type: 'number', minimum: 1200 },
      should_long_string: { type: 'string', minLength: 25 },
    });
    const bare = (name: string, type: string) => ({ name, type, disabled: false, node_type: 'input' });
    expect(attributesOf(traitNodes(schema, 'default'))).toEqual([
      bare('traits.email', 'text'),
      bare('traits.stringy', 'text'),
      bare('traits.numby', 'number'),
      bare('traits.booly', 'checkbox'),
      bare('traits.should_big_number', 'number'),
      bare('traits.should_long_string', 'text'),
    ]);
  });

  it('formats choose the input type, and email, tel and uri an autocomplete hint', () => {
    const schema = traitsSchema({
      when: { type: 'string', format: 'date-time' },
      mail: { type: 'string', format: 'email' },
      phone: { type: 'string', format: 'tel' },
      birthday: { type: 'string', format: 'date' },
      site: { type: 'string', format: 'uri' },
      expression: { type: 'string', format: 'regex' },
      id: { type: 'string', format: 'uuid' },
      count: { type: 'integer' },
    });
    expect(
      attributesOf(traitNodes(schema, 'default')).map((a: Record<string, unknown>) => [
        a.type,
        a.autocomplete,
      ]),
    ).toEqual([
      ['datetime-local', undefined],
      ['email', 'email'],
      ['tel', 'tel'],
      ['date', undefined],
      ['url', 'url'],
      ['text', undefined],
      ['text', undefined],
      ['number', undefined],
    ]);
  });

  it('copy `pattern` and `enum` (as options) but not `maxLength`', () => {
    const schema = traitsSchema({
      code: { type: 'string', pattern: '^[A-Z]{3}$', maxLength: 3 },
      plan: { type: 'string', enum: ['free', 'pro'] },
    });
    expect(attributesOf(traitNodes(schema, 'default'))).toEqual([
      { name: 'traits.code', type: 'text', pattern: '^[A-Z]{3}$', disabled: false, node_type: 'input' },
      {
        name: 'traits.plan',
        type: 'text',
        disabled: false,
        options: [{ value: 'free' }, { value: 'pro' }],
        node_type: 'input',
      },
    ]);
  });

  it('turn at most 500 enum values into options', () => {
    const values = Array.from({ length: 600 }, (_, i) => `v${i}`);
    const [node] = traitNodes(traitsSchema({ pick: { type: 'string', enum: values } }), 'default');
    expect(node!.attributes.options).toHaveLength(500);
    expect(node!.attributes.options!.at(-1)).toEqual({ value: 'v499' });
  });

  it('follow the schema’s order, not the alphabet', () => {
    const schema = traitsSchema({
      zeta: { type: 'string' },
      alpha: { type: 'string' },
      mid: { type: 'number' },
    });
    expect(traitNodes(schema, 'default').map((node) => node.attributes.name)).toEqual([
      'traits.zeta',
      'traits.alpha',
      'traits.mid',
    ]);
  });

  it('step into objects, each member required by its own object’s list', () => {
    const schema = traitsSchema(
      {
        name: {
          type: 'object',
          required: ['last'],
          properties: { first: { type: 'string', title: 'First name' }, last: { type: 'string' } },
        },
        email: { type: 'string' },
      },
      { required: ['name'] },
    );
    expect(attributesOf(traitNodes(schema, 'default'))).toEqual([
      { name: 'traits.name.first', type: 'text', disabled: false, node_type: 'input' },
      { name: 'traits.name.last', type: 'text', required: true, disabled: false, node_type: 'input' },
      { name: 'traits.email', type: 'text', disabled: false, node_type: 'input' },
    ]);
    expect(traitNodes(schema, 'default')[0]!.meta.label).toEqual({
      id: 1070002,
      text: 'First name',
      type: 'info',
      context: { name: 'traits.name.first', title: 'First name' },
    });
  });

  it('give an array of scalars one text input and an array of objects none', () => {
    const schema = traitsSchema({
      tags: { type: 'array', items: { type: 'string' } },
      flags: { type: 'array', items: { type: 'boolean' } },
      anything: { type: 'array' },
      addresses: { type: 'array', items: { type: 'object', properties: { street: { type: 'string' } } } },
    });
    expect(attributesOf(traitNodes(schema, 'default'))).toEqual([
      { name: 'traits.tags', type: 'text', disabled: false, node_type: 'input' },
      { name: 'traits.flags', type: 'text', disabled: false, node_type: 'input' },
      { name: 'traits.anything', type: 'text', disabled: false, node_type: 'input' },
    ]);
  });

  it('follow local $refs, where the referencing property is never marked required', () => {
    const schema = {
      ...traitsSchema(
        { email: { $ref: '#/definitions/email', title: 'ignored beside $ref' } },
        { required: ['email'] },
      ),
      definitions: { email: { type: 'string', format: 'email', title: 'Mail' } },
    };
    const [node, ...rest] = traitNodes(schema, 'default');
    expect(rest).toEqual([]);
    expect(node!.attributes).toEqual({
      name: 'traits.email',
      type: 'email',
      autocomplete: 'email',
      disabled: false,
      node_type: 'input',
    });
    expect(node!.meta.label?.text).toBe('Mail');
  });

  it('list members that combinators add', () => {
    const schema = traitsSchema(
      { email: { type: 'string' } },
      {
        allOf: [{ properties: { nickname: { type: 'string' } }, required: ['nickname'] }],
      },
    );
    expect(attributesOf(traitNodes(schema, 'default'))).toContainEqual({
      name: 'traits.nickname',
      type: 'text',
      required: true,
      disabled: false,
      node_type: 'input',
    });
  });

  it('include an untyped trait only when it has a default', () => {
    const schema = traitsSchema({
      loose: {},
      preset: { default: 'x' },
      either: { type: ['string', 'null'] },
    });
    expect(traitNodes(schema, 'default').map((node) => node.attributes.name)).toEqual(['traits.preset']);
  });

  it('leave out whatever is not under traits', () => {
    const schema = { ...traitsSchema({ email: { type: 'string' } }) };
    (schema.properties as JsonObject).other = { type: 'string' };
    expect(traitNodes(schema, 'default').map((node) => node.attributes.name)).toEqual(['traits.email']);
  });

  it('stop at a schema that refers back to itself', () => {
    const schema = {
      ...traitsSchema({ person: { $ref: '#/definitions/person' } }),
      definitions: {
        person: {
          type: 'object',
          properties: { name: { type: 'string' }, friend: { $ref: '#/definitions/person' } },
        },
      },
    };
    expect(traitNodes(schema, 'default').map((node) => node.attributes.name)).toContain('traits.person.name');
  });
});

describe('the login identifier label', () => {
  it('is the title of the only identifier trait', () => {
    expect(loginIdentifierLabel(portal)).toEqual({
      id: 1070002,
      text: 'E-Mail',
      type: 'info',
      context: { name: 'traits.email', title: 'E-Mail' },
    });
  });

  it('is "ID" when the identifier has no title', () => {
    const schema = traitsSchema({
      email: { type: 'string', 'ory.sh/kratos': { credentials: { password: { identifier: true } } } },
    });
    expect(loginIdentifierLabel(schema)).toEqual({ id: 1070004, text: 'ID', type: 'info' });
  });

  it('is "ID" when there are several identifiers, of any credential type', () => {
    const schema = traitsSchema({
      email: {
        type: 'string',
        title: 'E-Mail',
        'ory.sh/kratos': { credentials: { password: { identifier: true } } },
      },
      phone: {
        type: 'string',
        title: 'Phone',
        'ory.sh/kratos': { credentials: { code: { identifier: true, via: 'sms' } } },
      },
    });
    expect(loginIdentifierLabel(schema).id).toBe(1070004);
  });
});

/** Validates traits against a schema with gatehouse's own validator and returns its refusal. */
async function refusal(schema: unknown, traits: unknown): Promise<TraitsValidationError> {
  const schemas = await loadInline(schema);
  try {
    schemas.validate('default', traits);
  } catch (error) {
    if (error instanceof TraitsValidationError) return error;
    throw error;
  }
  throw new Error('the traits were accepted');
}

function formWith(schema: JsonObject): UiContainer {
  const ui = new UiContainer({ action: 'http://127.0.0.1:4433/self-service/registration?flow=x' });
  for (const node of traitNodes(schema, 'default')) ui.setNode(node);
  return ui;
}

describe('trait validation errors on the form', () => {
  it('a missing required trait: 4000002 on its input', async () => {
    const ui = formWith(portal);
    addTraitsValidationMessages(ui, await refusal(portal, {}));
    expect(ui.findNode('traits.email')?.messages).toEqual([
      { id: 4000002, text: 'Property email is missing.', type: 'error', context: { property: 'email' } },
    ]);
    expect(ui.messages).toEqual([]);
  });

  it('too short and not an e-mail address: 4000003 and 4000040 on the same input', async () => {
    const ui = formWith(portal);
    addTraitsValidationMessages(ui, await refusal(portal, { email: 'x' }));
    const messages = ui.findNode('traits.email')!.messages;
    expect(messages).toHaveLength(2);
    expect(messages).toContainEqual({
      id: 4000003,
      text: 'length must be >= 3, but got 1',
      type: 'error',
      context: { actual_length: 1, min_length: 3 },
    });
    expect(messages).toContainEqual({
      id: 4000040,
      text: 'Enter a valid email address',
      type: 'error',
      context: { value: 'x' },
    });
  });

  it('numbers, lengths, items and types, each with the numbers in its context', async () => {
    const schema = traitsSchema({
      age: { type: 'integer', minimum: 18 },
      score: { type: 'number', exclusiveMaximum: 10 },
      step: { type: 'number', multipleOf: 5 },
      nick: { type: 'string', maxLength: 4 },
      tags: { type: 'array', maxItems: 1, uniqueItems: true },
      name: { type: 'string' },
    });
    const ui = formWith(schema);
    addTraitsValidationMessages(
      ui,
      await refusal(schema, { age: 7, score: 10, step: 7, nick: 'abcdef', tags: ['a', 'a'], name: 3 }),
    );
    const on = (name: string) =>
      ui.findNode(name)?.messages.map(({ id, text, context }) => ({ id, text, context }));
    expect(on('traits.age')).toEqual([
      { id: 4000018, text: 'must be >= 18 but found 7', context: { actual: 7, minimum: 18 } },
    ]);
    expect(on('traits.score')).toEqual([
      { id: 4000021, text: 'must be < 10 but found 10', context: { actual: 10, maximum: 10 } },
    ]);
    expect(on('traits.step')).toEqual([
      { id: 4000022, text: '7 not multipleOf 5', context: { actual: 7, base: 5 } },
    ]);
    expect(on('traits.nick')).toEqual([
      { id: 4000017, text: 'length must be <= 4, but got 6', context: { actual_length: 6, max_length: 4 } },
    ]);
    expect(on('traits.tags')).toEqual(
      expect.arrayContaining([
        {
          id: 4000023,
          text: 'maximum 1 items allowed, but found 2 items',
          context: { actual_items: 2, max_items: 1 },
        },
        { id: 4000025, text: 'items at index 0 and 1 are equal', context: { index_a: 0, index_b: 1 } },
      ]),
    );
    expect(on('traits.name')).toEqual([
      {
        id: 4000026,
        text: 'expected string, but got number',
        context: { actual_type: 'number', allowed_types: ['string'] },
      },
    ]);
  });

  it('a pattern: 4000004 with the pattern as written in the schema', async () => {
    const pattern = '^[a-z]+\\d"$';
    const schema = traitsSchema({ handle: { type: 'string', pattern } });
    const ui = formWith(schema);
    addTraitsValidationMessages(ui, await refusal(schema, { handle: 'NOPE' }));
    expect(ui.findNode('traits.handle')?.messages).toEqual([
      { id: 4000004, text: 'does not match pattern "^[a-z]+\\\\d\\"$"', type: 'error', context: { pattern } },
    ]);
  });

  it('const and enum: 4000029, and 4000001 with the validator’s text', async () => {
    const schema = traitsSchema({
      role: { const: 'admin' },
      plan: { type: 'string', enum: ['free', 'pro'] },
    });
    const ui = formWith(schema);
    addTraitsValidationMessages(ui, await refusal(schema, { role: 'user', plan: 'gold' }));
    expect(ui.findNode('traits.role')?.messages.map((m) => [m.id, m.text])).toEqual([
      [4000029, 'must be equal to constant "admin"'],
    ]);
    expect(ui.findNode('traits.plan')?.messages.map((m) => [m.id, m.text])).toEqual([
      [4000001, 'value must be one of "free", "pro"'],
    ]);
  });

  it('a missing member of a nested object: 4000002 on the member’s input', async () => {
    const schema = traitsSchema({
      name: { type: 'object', required: ['first'], properties: { first: { type: 'string' } } },
    });
    const ui = formWith(schema);
    addTraitsValidationMessages(ui, await refusal(schema, { name: {} }));
    expect(ui.findNode('traits.name.first')?.messages.map((m) => m.id)).toEqual([4000002]);
  });

  it('a trait the form has no input for gets a text input carrying the message', async () => {
    const schema = traitsSchema({ website: { type: 'string', format: 'email' } });
    const ui = new UiContainer({ action: 'x' });
    addTraitsValidationMessages(ui, await refusal(schema, { website: 'nope' }));
    expect(written(ui.nodes)).toEqual([
      {
        type: 'input',
        group: 'default',
        attributes: { name: 'traits.website', type: 'text', disabled: false, node_type: 'input' },
        messages: [
          { id: 4000040, text: 'Enter a valid email address', type: 'error', context: { value: 'nope' } },
        ],
        meta: {},
      },
    ]);
  });

  it('a phone number the schema refuses: 4000041', () => {
    const ui = new UiContainer({ action: 'x' });
    const cause: TraitsValidationCause = {
      instancePtr: '#/traits/phone',
      schemaPtr: '#/properties/traits/properties/phone/format',
      keyword: 'format',
      message: '"12" is not valid "tel"',
    };
    addTraitsValidationMessages(ui, [cause]);
    expect(ui.findNode('traits.phone')?.messages).toEqual([
      { id: 4000041, text: 'Enter a valid phone number', type: 'error', context: { value: '12' } },
    ]);
  });

  it('a problem with the whole document goes on the form, not on a node', () => {
    const ui = new UiContainer({ action: 'x' });
    addTraitsValidationMessages(ui, [
      { instancePtr: '#/', schemaPtr: '#/x', keyword: 'x', message: 'could not find any identifiers' },
      { instancePtr: '#', schemaPtr: '#/y', keyword: 'y', message: 'root' },
    ]);
    expect(ui.messages.map((m) => [m.id, m.text])).toEqual([
      [4000001, 'could not find any identifiers'],
      [4000001, 'root'],
    ]);
    expect(ui.nodes).toEqual([]);
  });

  it('an alternative that failed puts the problems of its branches on their inputs', () => {
    const ui = new UiContainer({ action: 'x' });
    addTraitsValidationMessages(ui, [
      {
        instancePtr: '#/traits',
        schemaPtr: '#/properties/traits/anyOf',
        keyword: 'anyOf',
        message: 'anyOf failed',
        causes: [
          {
            instancePtr: '#/traits',
            schemaPtr: '#/properties/traits/anyOf/0/required',
            keyword: 'required',
            message: 'missing properties: "email"',
            missing: ['email'],
          },
          {
            instancePtr: '#/traits/phone',
            schemaPtr: '#/properties/traits/anyOf/1/properties/phone/minLength',
            keyword: 'minLength',
            message: 'length must be >= 5, but got 2',
          },
        ],
      },
    ]);
    expect(ui.findNode('traits.email')?.messages.map((m) => m.id)).toEqual([4000002]);
    expect(ui.findNode('traits.phone')?.messages.map((m) => m.id)).toEqual([4000003]);
  });

  it('a pointer token with escapes names the node Kratos would: decoded, dots written `\\.`', () => {
    const ui = new UiContainer({ action: 'x' });
    addTraitsValidationMessages(ui, [
      { instancePtr: '#/traits/a~1b/c.d/e%20f', schemaPtr: '#/z', keyword: 'z', message: 'm' },
    ]);
    expect(ui.nodes.map((node) => (node.type === 'input' ? node.attributes.name : ''))).toEqual([
      'traits.a/b.c\\.d.e f',
    ]);
  });
});
