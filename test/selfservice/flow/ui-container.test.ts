import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UiContainer } from '../../../src/selfservice/flow/ui-container.js';
import {
  csrfTokenNode,
  inputNode,
  passwordNode,
  submitNode,
  type UiInputNode,
} from '../../../src/selfservice/flow/ui-node.js';
import {
  idLabel,
  invalidCredentials,
  passwordTooShort,
  saveLabel,
  signInWithPassword,
  validationFailed,
} from '../../../src/selfservice/flow/ui-text.js';

const ACTION = 'http://127.0.0.1:4433/self-service/login?flow=6b1d6e8c-6a44-4a7e-9d0b-6f9e8f3e2c11';

/** The form Kratos' password strategy builds for a login flow. */
function loginForm(): UiContainer {
  const ui = new UiContainer({ action: ACTION });
  ui.setNode(inputNode('default', 'identifier', 'text', { value: '', required: true, label: idLabel() }));
  ui.setCsrfToken('masked');
  ui.setNode(passwordNode('current-password'));
  ui.appendNode(submitNode('password', 'password', signInWithPassword()));
  return ui;
}

const input = (ui: UiContainer, name: string) => ui.findNode(name) as UiInputNode;

describe('container JSON', () => {
  it('is {action, method, nodes}, with POST as the method and no `messages` while there are none', () => {
    expect(JSON.stringify(new UiContainer({ action: ACTION }))).toBe(
      `{"action":"${ACTION}","method":"POST","nodes":[]}`,
    );
  });

  it('gains `messages` after the nodes once there is one', () => {
    const ui = new UiContainer({ action: ACTION });
    ui.addMessage(invalidCredentials());
    const written = JSON.parse(JSON.stringify(ui));
    expect(Object.keys(written)).toEqual(['action', 'method', 'nodes', 'messages']);
    expect(written.messages).toEqual([invalidCredentials()]);
  });

  it('is what Kratos writes for a fresh login form', () => {
    expect(JSON.parse(JSON.stringify(loginForm()))).toEqual({
      action: ACTION,
      method: 'POST',
      nodes: [
        {
          type: 'input',
          group: 'default',
          attributes: {
            name: 'identifier',
            type: 'text',
            value: '',
            required: true,
            disabled: false,
            node_type: 'input',
          },
          messages: [],
          meta: { label: { id: 1070004, text: 'ID', type: 'info' } },
        },
        {
          type: 'input',
          group: 'default',
          attributes: {
            name: 'csrf_token',
            type: 'hidden',
            value: 'masked',
            required: true,
            disabled: false,
            node_type: 'input',
          },
          messages: [],
          meta: {},
        },
        {
          type: 'input',
          group: 'password',
          attributes: {
            name: 'password',
            type: 'password',
            required: true,
            autocomplete: 'current-password',
            disabled: false,
            node_type: 'input',
          },
          messages: [],
          meta: { label: { id: 1070001, text: 'Password', type: 'info' } },
        },
        {
          type: 'input',
          group: 'password',
          attributes: {
            name: 'method',
            type: 'submit',
            value: 'password',
            disabled: false,
            node_type: 'input',
          },
          messages: [],
          meta: { label: { id: 1010022, text: 'Sign in with password', type: 'info' } },
        },
      ],
    });
  });

  it('reads back into an equal container (flows are stored as JSON)', () => {
    const ui = loginForm();
    ui.addMessage(invalidCredentials());
    ui.addNodeMessage('password', passwordTooShort(8, 3));
    const text = JSON.stringify(ui);
    const back = UiContainer.fromJSON(JSON.parse(text));
    expect(JSON.stringify(back)).toBe(text);
    back.setValue('identifier', 'alice');
    expect(input(ui, 'identifier').attributes.value).toBe('');
  });

  it('reads back whatever nodes and messages it held', () => {
    const nodes = fc.array(
      fc.record({
        name: fc.string({ minLength: 1 }),
        value: fc.option(fc.string(), { nil: undefined }),
        message: fc.option(fc.string(), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(nodes, fc.array(fc.string()), (specs, messages) => {
        const ui = new UiContainer({ action: ACTION });
        for (const spec of specs) {
          ui.appendNode(inputNode('profile', spec.name, 'text', { value: spec.value }));
          if (spec.message !== undefined) ui.addNodeMessage(spec.name, validationFailed(spec.message));
        }
        for (const message of messages) ui.addMessage(validationFailed(message));
        const text = JSON.stringify(ui);
        expect(JSON.stringify(UiContainer.fromJSON(JSON.parse(text)))).toBe(text);
      }),
    );
  });

  it('refuses JSON that is not a container', () => {
    const bad = [
      null,
      [],
      { method: 'POST', nodes: [] },
      { action: ACTION, nodes: [] },
      { action: ACTION, method: 'POST', nodes: {} },
      { action: ACTION, method: 'POST', nodes: [], messages: [{ text: 'no id' }] },
      {
        action: ACTION,
        method: 'POST',
        nodes: [{ type: 'marquee', group: 'default', attributes: { id: 'x' } }],
      },
    ];
    for (const value of bad) expect(() => UiContainer.fromJSON(value)).toThrow(TypeError);
  });
});

describe('finding and placing nodes', () => {
  it('finds a node by name, and by name within a group', () => {
    const ui = loginForm();
    ui.appendNode(submitNode('profile', 'profile', saveLabel()));
    expect(ui.findNode('password')?.group).toBe('password');
    expect((ui.findNode('method', 'profile') as UiInputNode).attributes.value).toBe('profile');
    expect((ui.findNode('method') as UiInputNode).attributes.value).toBe('password');
    expect(ui.findNode('password', 'profile')).toBeUndefined();
    expect(ui.findNode('nothing')).toBeUndefined();
  });

  it('setNode replaces the node with the same name in place, whatever its group', () => {
    const ui = loginForm();
    ui.setNode(inputNode('code', 'identifier', 'email'));
    expect(ui.nodes).toHaveLength(4);
    expect(ui.nodes[0]).toMatchObject({ group: 'code', attributes: { name: 'identifier', type: 'email' } });
  });

  it('setNode appends a node whose name is new', () => {
    const ui = loginForm();
    ui.setNode(inputNode('default', 'traits.email', 'email'));
    expect(ui.nodes.at(-1)?.attributes).toMatchObject({ name: 'traits.email' });
  });

  it('appendNode keeps nodes that share a name: each method has its own submit', () => {
    const ui = loginForm();
    ui.appendNode(submitNode('profile', 'profile', saveLabel()));
    expect(
      ui.nodes.filter((node) => node.type === 'input' && node.attributes.name === 'method'),
    ).toHaveLength(2);
  });

  it('setCsrfToken replaces the token on every render', () => {
    const ui = loginForm();
    ui.setCsrfToken('remasked');
    const tokens = ui.nodes.filter((node) => node.type === 'input' && node.attributes.name === 'csrf_token');
    expect(tokens).toEqual([csrfTokenNode('remasked')]);
  });

  it('removes nodes by name, optionally only within a group, and whole groups', () => {
    const ui = loginForm();
    ui.appendNode(submitNode('profile', 'profile', saveLabel()));
    ui.removeNodes(['method'], 'profile');
    expect(ui.findNode('method', 'profile')).toBeUndefined();
    expect(ui.findNode('method', 'password')).toBeDefined();
    ui.removeNodes(['identifier', 'csrf_token']);
    expect(ui.nodes.map((node) => node.group)).toEqual(['password', 'password']);
    ui.removeGroup('password');
    expect(ui.nodes).toEqual([]);
  });
});

describe('values', () => {
  it('setValue fills an input and says whether there was one', () => {
    const ui = loginForm();
    expect(ui.setValue('identifier', 'alice@example.com')).toBe(true);
    expect(input(ui, 'identifier').attributes.value).toBe('alice@example.com');
    expect(ui.setValue('nothing', 'x')).toBe(false);
    expect(ui.nodes).toHaveLength(4);
  });

  it('clearPasswordValues drops every password input’s value and no other', () => {
    const ui = loginForm();
    ui.setValue('identifier', 'alice');
    ui.setValue('password', 'hunter2');
    ui.appendNode(inputNode('password', 'old_password', 'password', { value: 'older' }));
    ui.clearPasswordValues();
    expect(JSON.stringify(ui)).not.toContain('hunter2');
    expect(JSON.stringify(ui)).not.toContain('older');
    expect(input(ui, 'identifier').attributes.value).toBe('alice');
    expect(input(ui, 'csrf_token').attributes.value).toBe('masked');
  });

  it('updateValuesFromJSON fills found inputs and moves them to the group', () => {
    const ui = new UiContainer({ action: ACTION });
    ui.setNode(inputNode('default', 'traits.email', 'email'));
    ui.updateValuesFromJSON({ email: 'a@example.com' }, 'traits', 'profile');
    expect(ui.nodes).toEqual([
      { ...inputNode('profile', 'traits.email', 'email', { value: 'a@example.com' }) },
    ]);
  });

  it('updateValuesFromJSON adds inputs typed by their value for leaves the form lacks', () => {
    const ui = new UiContainer({ action: ACTION });
    ui.updateValuesFromJSON(
      { name: { first: 'Ada' }, age: 36, newsletter: true, tags: ['a', 'b'], 'dotted.key': 'x', gone: null },
      'traits',
      'default',
    );
    expect(ui.nodes).toEqual([
      inputNode('default', 'traits.name.first', 'text', { value: 'Ada' }),
      inputNode('default', 'traits.age', 'number', { value: 36 }),
      inputNode('default', 'traits.newsletter', 'checkbox', { value: true }),
      inputNode('default', 'traits.tags.0', 'text', { value: 'a' }),
      inputNode('default', 'traits.tags.1', 'text', { value: 'b' }),
      inputNode('default', 'traits.dotted\\.key', 'text', { value: 'x' }),
      inputNode('default', 'traits.gone', 'text'),
    ]);
  });
});

describe('messages', () => {
  it('addNodeMessage puts a message on the named node', () => {
    const ui = loginForm();
    ui.addNodeMessage('password', passwordTooShort(8, 3));
    expect(ui.findNode('password')?.messages).toEqual([passwordTooShort(8, 3)]);
    expect(ui.messages).toEqual([]);
  });

  it('addNodeMessage creates a text input in the default group when the form has no such node', () => {
    const ui = new UiContainer({ action: ACTION });
    ui.addNodeMessage('traits.website', validationFailed('bad'));
    expect(JSON.parse(JSON.stringify(ui)).nodes).toEqual([
      {
        type: 'input',
        group: 'default',
        attributes: { name: 'traits.website', type: 'text', disabled: false, node_type: 'input' },
        messages: [{ id: 4000001, text: 'bad', type: 'error', context: { reason: 'bad' } }],
        meta: {},
      },
    ]);
  });

  it('addNodeMessage with a blank name speaks about the whole form', () => {
    const ui = new UiContainer({ action: ACTION });
    ui.addNodeMessage('', validationFailed('a'));
    ui.addNodeMessage('  ', validationFailed('b'));
    expect(ui.messages).toEqual([validationFailed('a'), validationFailed('b')]);
    expect(ui.nodes).toEqual([]);
  });

  it('resetMessages clears the form’s and the nodes’ messages, keeping those of excepted nodes', () => {
    const ui = loginForm();
    ui.addMessage(invalidCredentials());
    ui.addNodeMessage('identifier', validationFailed('x'));
    ui.addNodeMessage('password', passwordTooShort(8, 3));
    ui.setValue('identifier', 'alice');
    ui.resetMessages('password');
    expect(ui.messages).toEqual([]);
    expect(ui.findNode('identifier')?.messages).toEqual([]);
    expect(ui.findNode('password')?.messages).toEqual([passwordTooShort(8, 3)]);
    expect(input(ui, 'identifier').attributes.value).toBe('alice');
  });

  it('reset clears every message and every value but those of excepted nodes', () => {
    const ui = loginForm();
    ui.addMessage(invalidCredentials());
    ui.addNodeMessage('csrf_token', validationFailed('x'));
    ui.setValue('identifier', 'alice');
    ui.reset('csrf_token');
    expect(ui.messages).toEqual([]);
    expect(ui.nodes.every((node) => node.messages.length === 0)).toBe(true);
    expect(input(ui, 'identifier').attributes).not.toHaveProperty('value');
    expect(input(ui, 'csrf_token').attributes.value).toBe('masked');
  });

  it('resetNodes clears the value and messages of the named nodes only', () => {
    const ui = loginForm();
    ui.setValue('identifier', 'alice');
    ui.setValue('password', 'hunter2');
    ui.addNodeMessage('password', invalidCredentials());
    ui.addNodeMessage('identifier', validationFailed('x'));
    ui.resetNodes('password');
    expect(input(ui, 'password').attributes).not.toHaveProperty('value');
    expect(ui.findNode('password')?.messages).toEqual([]);
    expect(input(ui, 'identifier').attributes.value).toBe('alice');
    expect(ui.findNode('identifier')?.messages).toHaveLength(1);
  });

  it('resetNodesWithPrefix clears every node under the prefix', () => {
    const ui = new UiContainer({ action: ACTION });
    ui.updateValuesFromJSON({ email: 'a@example.com', name: 'Ada' }, 'traits', 'profile');
    ui.setCsrfToken('masked');
    ui.addNodeMessage('traits.email', validationFailed('x'));
    ui.resetNodesWithPrefix('traits.');
    expect(ui.nodes.filter((node) => node.type === 'input' && 'value' in node.attributes)).toEqual([
      csrfTokenNode('masked'),
    ]);
    expect(ui.findNode('traits.email')?.messages).toEqual([]);
  });
});
