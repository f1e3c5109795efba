import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  csrfTokenNode,
  inputNode,
  passwordNode,
  submitNode,
  textNode,
  type UiNode,
  type UiNodeInputAttributes,
  uiNodeFromJSON,
  uiNodeId,
  uiNodeToJSON,
} from '../../../src/selfservice/flow/ui-node.js';
import { signInWithPassword, signUp, validationFailed } from '../../../src/selfservice/flow/ui-text.js';

const json = (node: UiNode) => JSON.stringify(uiNodeToJSON(node));

describe('node JSON, as in Kratos’ ui/node snapshots', () => {
  it('input: value kept, required and autocomplete left out when unset, disabled always written', () => {
    expect(json(inputNode('default', 'password', 'password', { value: 'secret' }))).toBe(
      '{"type":"input","group":"default","attributes":{"name":"password","type":"password","value":"secret","disabled":false,"node_type":"input"},"messages":[],"meta":{}}',
    );
  });

  it('text: a missing text is null', () => {
    const node = {
      type: 'text',
      group: 'default',
      attributes: { id: '', node_type: 'text' },
      messages: [],
      meta: {},
    };
    expect(json(node as unknown as UiNode)).toBe(
      '{"type":"text","group":"default","attributes":{"text":null,"id":"","node_type":"text"},"messages":[],"meta":{}}',
    );
  });

  it('img: src, id, width, height', () => {
    const node: UiNode = {
      type: 'img',
      group: 'default',
      attributes: { node_type: 'img', height: 0, width: 0, id: '', src: 'image.jpg' },
      messages: [],
      meta: {},
    };
    expect(json(node)).toBe(
      '{"type":"img","group":"default","attributes":{"src":"image.jpg","id":"","width":0,"height":0,"node_type":"img"},"messages":[],"meta":{}}',
    );
  });

  it('a: href, title (null when missing), id', () => {
    const node: UiNode = {
      type: 'a',
      group: 'default',
      attributes: { id: '', title: null, href: 'https://example.com', node_type: 'a' },
      messages: [],
      meta: {},
    };
    expect(json(node)).toBe(
      '{"type":"a","group":"default","attributes":{"href":"https://example.com","title":null,"id":"","node_type":"a"},"messages":[],"meta":{}}',
    );
  });

  it('script: every attribute written, empty or not', () => {
    const node: UiNode = {
      type: 'script',
      group: 'default',
      attributes: {
        nonce: '',
        id: '',
        type: '',
        integrity: '',
        crossorigin: '',
        referrerpolicy: '',
        async: false,
        src: 'script.js',
        node_type: 'script',
      },
      messages: [],
      meta: {},
    };
    expect(json(node)).toBe(
      '{"type":"script","group":"default","attributes":{"src":"script.js","async":false,"referrerpolicy":"","crossorigin":"","integrity":"","type":"","id":"","nonce":"","node_type":"script"},"messages":[],"meta":{}}',
    );
  });

  it('div: class and data only when set', () => {
    const bare: UiNode = {
      type: 'div',
      group: 'default',
      attributes: { id: '', node_type: 'div' },
      messages: [],
      meta: {},
    };
    expect(json(bare)).toBe(
      '{"type":"div","group":"default","attributes":{"id":"","node_type":"div"},"messages":[],"meta":{}}',
    );
    const full: UiNode = {
      type: 'div',
      group: 'captcha',
      attributes: { data: { sitekey: 'k' }, node_type: 'div', id: 'w', class: 'widget' },
      messages: [],
      meta: {},
    };
    expect(json(full)).toBe(
      '{"type":"div","group":"captcha","attributes":{"class":"widget","id":"w","data":{"sitekey":"k"},"node_type":"div"},"messages":[],"meta":{}}',
    );
  });

  it('writes the input attributes in Kratos’ order, whatever order they were set in', () => {
    const attributes: UiNodeInputAttributes = {
      node_type: 'input',
      options: [{ value: 'a' }],
      maxlength: 10,
      onloadTrigger: 'l2',
      onload: 'l1',
      onclickTrigger: 'c2',
      onclick: 'c1',
      disabled: true,
      pattern: '^a$',
      label: validationFailed('x'),
      autocomplete: 'email',
      required: true,
      value: 'v',
      type: 'email',
      name: 'n',
    };
    const node: UiNode = { type: 'input', group: 'default', attributes, messages: [], meta: {} };
    expect(Object.keys(uiNodeToJSON(node).attributes)).toEqual([
      'name',
      'type',
      'value',
      'required',
      'autocomplete',
      'label',
      'pattern',
      'disabled',
      'onclick',
      'onclickTrigger',
      'onload',
      'onloadTrigger',
      'maxlength',
      'options',
      'node_type',
    ]);
  });

  it('keeps an empty-string value (the login identifier starts as "") but drops undefined and null', () => {
    const value = (v: unknown) =>
      uiNodeToJSON(inputNode('default', 'identifier', 'text', { value: v })).attributes;
    expect(value('')).toHaveProperty('value', '');
    expect(value(undefined)).not.toHaveProperty('value');
    expect(value(null)).not.toHaveProperty('value');
    expect(value(0)).toHaveProperty('value', 0);
    expect(value(false)).toHaveProperty('value', false);
  });

  it('writes `attributes.node_type` equal to `type` even when the attributes lack it', () => {
    const node = {
      type: 'input',
      group: 'default',
      attributes: { name: 'n', type: 'text' },
      messages: [],
      meta: {},
    };
    const written = uiNodeToJSON(node as unknown as UiNode);
    expect(written.attributes.node_type).toBe('input');
  });
});

describe('the nodes flows build', () => {
  it('csrf_token: hidden, required, default group, carrying the masked token', () => {
    expect(json(csrfTokenNode('bWFza2Vk'))).toBe(
      '{"type":"input","group":"default","attributes":{"name":"csrf_token","type":"hidden","value":"bWFza2Vk","required":true,"disabled":false,"node_type":"input"},"messages":[],"meta":{}}',
    );
  });

  it('password: password group, required, autocomplete, label 1070001, no value', () => {
    expect(json(passwordNode('current-password'))).toBe(
      '{"type":"input","group":"password","attributes":{"name":"password","type":"password","required":true,"autocomplete":"current-password","disabled":false,"node_type":"input"},"messages":[],"meta":{"label":{"id":1070001,"text":"Password","type":"info"}}}',
    );
    expect(uiNodeToJSON(passwordNode('new-password')).attributes).toHaveProperty(
      'autocomplete',
      'new-password',
    );
  });

  it('submit: `method` with the strategy as value and the label as meta', () => {
    expect(json(submitNode('password', 'password', signInWithPassword()))).toBe(
      '{"type":"input","group":"password","attributes":{"name":"method","type":"submit","value":"password","disabled":false,"node_type":"input"},"messages":[],"meta":{"label":{"id":1010022,"text":"Sign in with password","type":"info"}}}',
    );
  });

  it('text: the message as the node’s text', () => {
    expect(json(textNode('default', 'hint', signUp()))).toBe(
      '{"type":"text","group":"default","attributes":{"text":{"id":1040001,"text":"Sign up","type":"info"},"id":"hint","node_type":"text"},"messages":[],"meta":{}}',
    );
  });

  it('are found by an input’s name or another node’s id', () => {
    expect(uiNodeId(csrfTokenNode('x'))).toBe('csrf_token');
    expect(uiNodeId(textNode('default', 'hint', signUp()))).toBe('hint');
  });

  it('are fresh objects, so changing one node leaves the next alone', () => {
    const first = passwordNode('new-password');
    first.messages.push(validationFailed('x'));
    first.meta.label!.text = 'changed';
    expect(passwordNode('new-password').messages).toEqual([]);
    expect(passwordNode('new-password').meta.label?.text).toBe('Password');
  });
});

describe('nodes read back from JSON', () => {
  const samples: UiNode[] = [
    csrfTokenNode('tok'),
    passwordNode('new-password'),
    submitNode('profile', 'profile', signUp()),
    textNode('default', 'hint', signUp()),
    {
      type: 'img',
      group: 'totp',
      attributes: { src: 'data:', id: 'qr', width: 256, height: 256, node_type: 'img' },
      messages: [],
      meta: {},
    },
  ];

  it('come back as they were written', () => {
    for (const node of samples) {
      const back = uiNodeFromJSON(JSON.parse(json(node)));
      expect(JSON.stringify(back)).toBe(json(node));
    }
  });

  it('get `messages: []` and `meta: {}` when the JSON has none', () => {
    const node = uiNodeFromJSON({ type: 'input', group: 'default', attributes: { name: 'x', type: 'text' } });
    expect(node.messages).toEqual([]);
    expect(node.meta).toEqual({});
    expect(node.attributes).toEqual({ name: 'x', type: 'text', disabled: false, node_type: 'input' });
  });

  it('are known by their attributes when `type` is empty', () => {
    const node = uiNodeFromJSON({
      type: '',
      group: 'default',
      attributes: { name: 'email', type: '', node_type: 'input' },
    });
    expect(node.type).toBe('input');
  });

  it('are refused with an unknown type or broken parts', () => {
    const bad = [
      null,
      { type: 'video', group: 'default', attributes: { id: 'v' } },
      { type: 'input', group: 'default' },
      { type: 'input', attributes: { name: 'x', type: 'text' } },
      { type: 'input', group: 'default', attributes: { type: 'text' } },
      { type: 'input', group: 'default', attributes: { name: 'x', type: 'text' }, messages: [{ id: 1 }] },
      { type: 'input', group: 'default', attributes: { name: 'x', type: 'text' }, meta: [] },
    ];
    for (const value of bad) expect(() => uiNodeFromJSON(value)).toThrow(TypeError);
  });

  it('round-trip for any input attributes', () => {
    const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const inputs = fc.record({
      group: fc.constantFrom('default', 'password', 'profile', 'code'),
      name: fc.string(),
      type: fc.constantFrom('text', 'password', 'hidden', 'email', 'submit', 'number'),
      value: optional(fc.oneof(fc.string(), fc.integer(), fc.boolean())),
      required: optional(fc.boolean()),
      autocomplete: optional(fc.constantFrom('email', 'new-password')),
      pattern: optional(fc.string()),
      maxlength: optional(fc.nat()),
      disabled: optional(fc.boolean()),
      messages: fc.array(
        fc.record({ id: fc.nat(), text: fc.string(), type: fc.constantFrom('info', 'error') }),
      ),
    });
    fc.assert(
      fc.property(inputs, ({ group, name, type, messages, ...options }) => {
        const node = inputNode(group as 'default', name, type as 'text', options as object);
        node.messages.push(...(messages as UiNode['messages']));
        const written = JSON.parse(json(node));
        expect(written.type).toBe(written.attributes.node_type);
        expect(Array.isArray(written.messages)).toBe(true);
        expect(uiNodeToJSON(uiNodeFromJSON(written))).toEqual(written);
      }),
    );
  });
});
