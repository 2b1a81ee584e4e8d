// A Web Test Runner plugin: the command `ek-virtual-authenticator` gives the calling page a
// virtual WebAuthn authenticator with the PRF extension (Chrome DevTools protocol, WebAuthn domain:
// `hasPrf`), so the passkey unlock of issue 12 runs against a real navigator.credentials in headless
// Chromium. Other engines answer `{ supported: false, why }` and the test lists itself as skipped:
// Firefox over WebDriver BiDi and WebKitWebDriver offer no virtual authenticator with PRF here.
/** @returns {import('@web/test-runner').TestRunnerPlugin} */
export function virtualAuthenticatorPlugin() {
  return {
    name: 'ek-virtual-authenticator',
    async executeCommand({ command, session }) {
      if (command !== 'ek-virtual-authenticator') return undefined;
      const browser = /** @type {{ name?: string; getPage?: (id: string) => any }} */ (session.browser);
      if (browser.name !== 'Chromium' || typeof browser.getPage !== 'function') {
        return { supported: false, why: `${browser.name ?? 'this engine'} has no virtual authenticator with PRF under this runner` };
      }
      const page = browser.getPage(session.id);
      const cdp = await page.createCDPSession();
      await cdp.send('WebAuthn.enable', { enableUI: false });
      const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          ctap2Version: 'ctap2_1',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
          hasPrf: true,
        },
      });
      return { supported: true, authenticatorId };
    },
  };
}
