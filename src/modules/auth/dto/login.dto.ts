import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { type Role, ROLES } from '../../../common/auth/roles';

export class LoginDto {
  @ApiProperty({ maxLength: 200, example: 'admin' })
  @IsString()
  @Length(1, 200)
  username: string;

  @ApiProperty({ maxLength: 200, example: 'the password printed at first start', writeOnly: true })
  @IsString()
  @Length(1, 200)
  password: string;
}

export class MeDto {
  @ApiProperty({ format: 'uuid', example: '0b6f3c1e-2d4a-4e8f-9a1b-3c5d7e9f1a2b' })
  id: string;

  @ApiProperty({ maxLength: 50, example: 'admin' })
  username: string;

  @ApiProperty({ maxLength: 100, example: 'Administrator' })
  displayName: string;

  @ApiProperty({ enum: ROLES, example: 'admin' })
  role: Role;

  @ApiProperty({ format: 'uuid', example: '6f1d2c3b-8a9e-4f70-b1c2-3d4e5f607182' })
  departmentId: string;
}

export class LoginResponseDto {
  @ApiProperty({ maxLength: 2048, description: 'A compact JWS (HS256); its claims are sub, role, iat, exp, iss and aud, so it stays well within 2,048 characters', example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...' })
  accessToken: string;

  @ApiProperty({ example: 'Bearer', enum: ['Bearer'] })
  tokenType: 'Bearer';

  @ApiProperty({ example: 3600, description: 'Seconds until the token expires' })
  expiresIn: number;

  @ApiProperty({ type: MeDto })
  user: MeDto;
}
