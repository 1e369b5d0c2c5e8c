import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { JwtKeys } from './jwt-keys';
import { alreadyVerifiedSubject } from './token-subject';

interface TokenPayload {
  sub: string;
}

/** What the strategy hands the guard: the verified token's subject, nothing looked up yet. */
export interface TokenSubject {
  subject: string;
}

/**
 * passport-jwt checks the bearer token (HS256 signature, issuer, audience, expiry). It keeps no
 * reference to the application's database: passport registers strategies process-wide, so a
 * strategy holding one application's connections would serve another application of the same
 * process (tests start several) with them. The guard of each application looks the user up.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(keys: JwtKeys) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // The typings want string | Buffer; jsonwebtoken takes a KeyObject, which is the point.
      secretOrKeyProvider: (_request, _token, done) => done(null, keys.key as unknown as Buffer),
      algorithms: ['HS256'],
      issuer: keys.issuer,
      audience: keys.audience,
      ignoreExpiration: false,
    });
  }

  /**
   * The rate limit (first of all hooks) has verified this request's token already, with the same
   * checks (verifiedTokenSubject): its answer is taken rather than a second HMAC and JSON parse.
   * A request it did not see (no limit on the route) is verified by passport-jwt as usual.
   */
  override authenticate(request: object, options?: object): void {
    const known = alreadyVerifiedSubject(request);
    if (known === undefined) return super.authenticate(request as never, options);
    if (known === null) return this.fail(401);
    return this.success({ subject: known } satisfies TokenSubject);
  }

  /** Returning null makes the guard answer 401. */
  validate(payload: TokenPayload): TokenSubject | null {
    return typeof payload.sub === 'string' ? { subject: payload.sub } : null;
  }
}
