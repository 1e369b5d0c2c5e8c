import { AuditChainHeadEntity, AuditLogEntity } from '../modules/audit/audit-log.entity';
import { LoginThrottleEntity } from '../modules/auth/login-throttle.entity';
import { DepartmentEntity } from '../modules/departments/department.entity';
import { UserEntity } from '../modules/users/user.entity';

/** Every entity, listed once for the data source, the migration tooling and the tests. */
export const ENTITIES = [AuditLogEntity, AuditChainHeadEntity, DepartmentEntity, UserEntity, LoginThrottleEntity];
