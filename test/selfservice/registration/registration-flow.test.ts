import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/config/object-path.js';
import { UiContainer } from '../../../src/selfservice/flow/ui-container.js';
import { csrfTokenNode, inputNode, passwordNode, submitNode } from '../../../src/selfservice/flow/ui-node.js';
import { signUp } from '../../../src/selfservice/flow/ui-text.js';
import { readRegistrationConfig } from '../../../src/selfservice/registration/registration-config.js';
import {
  credentialsForm,
  keepSubmittedTraits,
  profileForm,
  sortRegistrationNodes,
  unifiedForm,
} from '../../../src/selfservice/registration/registration-flow.js';

const EMAIL_SCHEMA: JsonObject = {
  type: 'object',
  properties: {
    traits: {
      type: 'object',
      properties: {
        email: {
          type: 'string',
          format: 'email',
          title: 'E-Mail',
          'ory.sh/kratos': { credentials: { password: { identifier: true } } },
        },
      },
      required: ['email'],
    },
  },
};

// The schema of Kratos' own node-sorting case: an identifier, then a second trait.
const USERNAME_SCHEMA: JsonObject = {
  type: 'object',
  properties: {
    traits: {
      type: 'object',
      properties: {
        username: { type: 'string', 'ory.sh/kratos': { credentials: { password: { identifier: true } } } },
        foobar: { type: 'string' },
      },
    },
  },
};

const form = () => new UiContainer({ action: 'http://127.0.0.1:4433/self-service/registration?flow=x' });
const layout = (ui: UiContainer) =>
  ui.toJSON().nodes.map((node) => {
    const attributes = node.attributes as { name: string; type: string; value?: unknown };
    return `${node.group}:${attributes.name}:${attributes.type}${attributes.value === undefined ? '' : `=${attributes.value}`}`;
  });

describe('registration forms', () => {
  it('profile_first starts with the traits and method=profile, no password', () => {
    const ui = form();
    profileForm(ui, EMAIL_SCHEMA);
    expect(layout(ui)).toEqual([
      'default:csrf_token:hidden=',
      'default:traits.email:email',
      'profile:method:submit=profile',
    ]);
    const submit = ui.toJSON().nodes[2]!;
    expect(submit.meta).toEqual({ label: { id: 1040001, text: 'Sign up', type: 'info' } });
    const email = ui.toJSON().nodes[1]!;
    expect(email.attributes).toEqual({
      name: 'traits.email',
      type: 'email',
      required: true,
      autocomplete: 'email',
      disabled: false,
      node_type: 'input',
    });
  });

  it('unified shows traits, a new-password input and method=password in one form', () => {
    const ui = form();
    unifiedForm(ui, EMAIL_SCHEMA, true);
    expect(layout(ui)).toEqual([
      'default:csrf_token:hidden=',
      'default:traits.email:email',
      'password:password:password',
      'password:method:submit=password',
    ]);
    // The password method's nodes exactly as Kratos' registration form has them.
    expect(ui.toJSON().nodes.slice(2)).toEqual([
      {
        type: 'input',
        group: 'password',
        attributes: {
          name: 'password',
          type: 'password',
          required: true,
          autocomplete: 'new-password',
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
        meta: { label: { id: 1040001, text: 'Sign up', type: 'info' } },
      },
    ]);
  });

  it('the second step hides the traits, asks for the password and offers screen=previous', () => {
    const ui = form();
    profileForm(ui, EMAIL_SCHEMA);
    credentialsForm(ui, EMAIL_SCHEMA, { email: 'a@example.com' }, true);
    expect(layout(ui)).toEqual([
      'default:csrf_token:hidden=',
      'default:traits.email:hidden=a@example.com',
      'password:password:password',
      'password:method:submit=password',
      'profile:screen:submit=previous',
    ]);
    expect(ui.toJSON().messages).toEqual([
      { id: 1040009, text: 'Please choose a credential to authenticate yourself with.', type: 'info' },
    ]);
    expect(ui.toJSON().nodes[4]!.meta).toEqual({ label: { id: 1040008, text: 'Back', type: 'info' } });
  });

  it('going back restores the first step with the traits filled in', () => {
    const ui = form();
    profileForm(ui, EMAIL_SCHEMA);
    credentialsForm(ui, EMAIL_SCHEMA, { email: 'a@example.com' }, true);
    ui.resetMessages();
    profileForm(ui, EMAIL_SCHEMA, { email: 'a@example.com' });
    expect(layout(ui)).toEqual([
      'default:csrf_token:hidden=',
      'default:traits.email:email=a@example.com',
      'profile:method:submit=profile',
    ]);
  });

  it('sorts nodes as Kratos: csrf_token, the first schema key, password, the other keys, method last', () => {
    const ui = form();
    ui.nodes = [
      inputNode('default', 'traits.foobar', 'text'),
      inputNode('default', 'traits.username', 'text'),
      csrfTokenNode('token'),
      passwordNode('new-password'),
      submitNode('password', 'password', signUp()),
    ];
    sortRegistrationNodes(ui, USERNAME_SCHEMA);
    expect(layout(ui)).toEqual([
      'default:csrf_token:hidden=token',
      'default:traits.username:text',
      'password:password:password',
      'default:traits.foobar:text',
      'password:method:submit=password',
    ]);
  });

  it('puts a refused submit’s traits back only into inputs the form has', () => {
    const ui = form();
    profileForm(ui, EMAIL_SCHEMA);
    keepSubmittedTraits(ui, { email: 'b@example.com', nickname: 'bee' });
    expect(layout(ui)).toEqual([
      'default:csrf_token:hidden=',
      'default:traits.email:email=b@example.com',
      'profile:method:submit=profile',
    ]);
  });
});

describe('registration config', () => {
  const document = (registration: JsonObject): JsonObject => ({
    selfservice: { flows: { registration } },
  });

  it('is profile_first by default, unified when asked or with the legacy one-step flag', () => {
    expect(readRegistrationConfig(document({})).twoSteps).toBe(true);
    expect(readRegistrationConfig(document({ style: 'unified' })).twoSteps).toBe(false);
    expect(
      readRegistrationConfig(document({ style: 'profile_first', enable_legacy_one_step: true })).twoSteps,
    ).toBe(false);
  });

  it('takes the password method’s hooks, or else the global ones, never both', () => {
    expect(
      readRegistrationConfig(
        document({ after: { hooks: [{ hook: 'web_hook' }], password: { hooks: [{ hook: 'session' }] } } }),
      ).afterPasswordHooks,
    ).toEqual(['session']);
    expect(
      readRegistrationConfig(document({ after: { hooks: [{ hook: 'session' }] } })).afterPasswordHooks,
    ).toEqual(['session']);
    expect(readRegistrationConfig(document({})).afterPasswordHooks).toEqual([]);
  });

  it('finds the return URL of the password method before the flow’s own', () => {
    expect(
      readRegistrationConfig(
        document({
          after: {
            default_browser_return_url: 'http://127.0.0.1/welcome',
            password: { default_browser_return_url: 'http://127.0.0.1/welcome/password' },
          },
        }),
      ).afterPasswordReturnUrl,
    ).toBe('http://127.0.0.1/welcome/password');
    expect(
      readRegistrationConfig(document({ after: { default_browser_return_url: 'http://127.0.0.1/welcome' } }))
        .afterPasswordReturnUrl,
    ).toBe('http://127.0.0.1/welcome');
    expect(readRegistrationConfig(document({})).afterPasswordReturnUrl).toBeUndefined();
  });
});
