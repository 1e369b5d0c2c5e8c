export { DepartmentsModule } from './departments.module';
export { DepartmentsRepository } from './departments.repository';
export { DepartmentEntity } from './department.entity';
