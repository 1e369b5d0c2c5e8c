import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AuthUserLookup } from './auth-user-lookup';
import { JwtKeys } from './jwt-keys';
import type { AuthUser } from './roles';

interface TokenPayload {
  sub: string;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    keys: JwtKeys,
    private readonly users: AuthUserLookup,
  ) {
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

  /** Returning null makes passport answer 401: unknown or deactivated users lose access at once. */
  async validate(payload: TokenPayload): Promise<AuthUser | null> {
    if (typeof payload.sub !== 'string') return null;
    return (await this.users.findActive(payload.sub)) ?? null;
  }
}
