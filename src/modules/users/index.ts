export { UsersModule } from './users.module';
export { UsersRepository } from './users.repository';
export { UsersService } from './users.service';
export { UserEntity } from './user.entity';
export { UserDto } from './dto/user.dto';
