import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software WebAuthn authenticator for HTTP tests (the browser tests use Chromium's virtual authenticator): ES256
 * keys, "none" attestation, discoverable credentials, a signature counter. Written from the WebAuthn Level 2 data
 * layouts (authenticator data §6.1, attested credential data §6.5.1, COSE EC2 keys, RFC 8152 §13.1.1), so that the
 * server is checked against bytes it did not produce itself.
 */
interface Credential {
  id: Buffer;
  key: KeyObject;
  rpId: string;
  userHandle: string;
  counter: number;
}

const b64u = (b: Buffer | Uint8Array) => Buffer.from(b).toString('base64url');
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();

export class SoftAuthenticator {
  readonly credentials: Credential[] = [];
  /** Whether the authenticator says it verified its user (PIN / biometrics): the UV flag. */
  userVerified = true;
  /** Counters from authenticators that keep one go up by one per signature. */
  counterStep = 1;
  constructor(public origin: string) {}

  /** navigator.credentials.create(): `options` is what the store's register-options returned. */
  create(options: { challenge: string; rp: { id?: string }; user: { id: string } }) {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const id = randomBytes(32);
    const credential: Credential = { id, key: privateKey, rpId, userHandle: options.user.id, counter: 0 };
    this.credentials.push(credential);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      this.header(rpId, 0x40, 0), // AT: attested credential data follows
      Buffer.alloc(16), // AAGUID: none
      idLength,
      id,
      Buffer.from(cose),
    ]);
    const clientDataJSON = this.clientData('webauthn.create', options.challenge);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]) as never,
    );
    return {
      id: b64u(id),
      rawId: b64u(id),
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject), transports: ['internal'] },
    };
  }

  /** navigator.credentials.get() with a discoverable credential: signs `options.challenge` with the credential `which`. */
  get(options: { challenge: string; rpId?: string }, which = 0) {
    const c = this.credentials[which];
    if (!c) throw new Error('no such credential');
    c.counter += this.counterStep;
    const authData = this.header(options.rpId ?? c.rpId, 0, c.counter);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), c.key); // DER, as WebAuthn wants
    return {
      id: b64u(c.id),
      rawId: b64u(c.id),
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        userHandle: c.userHandle,
      },
    };
  }

  /** rpIdHash ‖ flags ‖ signCount: UP always, UV when `userVerified`, plus `extra`. */
  private header(rpId: string, extra: number, counter: number): Buffer {
    const flags = 0x01 | (this.userVerified ? 0x04 : 0) | extra;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count]);
  }

  private clientData(type: string, challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
  }
}
