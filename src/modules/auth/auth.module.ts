import { Module } from '@nestjs/common';
import { UsersModule } from '../users';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginAttemptsJob } from './login-attempts.job';
import { LoginThrottleRepository } from './login-throttle.repository';

@Module({
  imports: [UsersModule],
  controllers: [AuthController],
  providers: [AuthService, LoginThrottleRepository, LoginAttemptsJob],
})
export class AuthModule {}
