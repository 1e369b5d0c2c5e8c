import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { updateVersioned } from '../../database/versioned-update';
import { DepartmentEntity } from './department.entity';

@Injectable()
export class DepartmentsRepository {
  constructor(private readonly transactions: Transactions) {}

  /** How many there are (the limit of how many there may be). */
  async count(): Promise<number> {
    const [{ n }]: { n: number }[] = await this.transactions.manager.query('SELECT count(*)::int AS n FROM departments');
    return n;
  }

  private get repo() {
    return this.transactions.manager.getRepository(DepartmentEntity);
  }

  findAll(): Promise<DepartmentEntity[]> {
    return this.repo.find({ order: { name: 'ASC', id: 'ASC' } });
  }

  findById(id: string): Promise<DepartmentEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByName(name: string): Promise<DepartmentEntity | null> {
    return this.repo.createQueryBuilder('d').where('lower(d.name) = lower(:name)', { name }).getOne();
  }

  insert(name: string): Promise<DepartmentEntity> {
    return this.repo.save(this.repo.create({ name }));
  }

  /** Compare-and-set on version: returns null when the row is gone or was changed meanwhile. */
  async rename(id: string, name: string, version: number): Promise<DepartmentEntity | null> {
    return (await updateVersioned(this.repo, id, version, { name })) ? this.findById(id) : null;
  }
}
