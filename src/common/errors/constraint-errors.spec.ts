import { constraintProblem, domainErrorFromDatabase } from './constraint-errors';

const pg = (fields: Record<string, string>) => ({ driverError: fields });

describe('constraintProblem', () => {
  it('maps a unique index by name, with its field', () => {
    expect(constraintProblem(pg({ code: '23505', constraint: 'uq_transfer_items_pending' }))).toEqual({
      code: 'REQUEST_PENDING',
      status: 409,
      field: 'customerIds',
      message: 'a pending transfer already names this customer',
    });
  });

  it('tells a missing reference (422) from a row still referenced (409), RESTRICT or NO ACTION', () => {
    expect(constraintProblem(pg({ code: '23503', constraint: 'fk_tags_group', detail: 'Key (group_id)=(x) is not present in table "tag_groups".' }))?.code).toBe('REFERENCE_NOT_FOUND');
    expect(constraintProblem(pg({ code: '23001', constraint: 'fk_tags_group', detail: 'Key (id)=(x) is referenced from table "tags".' }))?.code).toBe('TAG_GROUP_NOT_EMPTY');
    expect(constraintProblem(pg({ code: '23503', constraint: 'fk_interactions_customer', detail: 'Key (id)=(x) is still referenced from table "interactions".' }))).toMatchObject({ code: 'IN_USE', status: 409 });
  });

  it('looks up a partition\'s inherited key by its parent', () => {
    expect(constraintProblem(pg({ code: '23505', constraint: 'audit_log_2027_01_pkey' }))?.code).toBe('CONFLICT');
  });

  it('never leaves an integrity violation unanswered, even an unmapped one', () => {
    expect(constraintProblem(pg({ code: '23505', constraint: 'uq_not_yet_mapped' }))).toMatchObject({ code: 'CONFLICT', status: 409 });
    expect(constraintProblem(pg({ code: '23514', constraint: 'ck_not_yet_mapped' }))).toMatchObject({ code: 'UNPROCESSABLE', status: 422 });
    expect(constraintProblem(pg({ code: '23502', column: 'name' }))).toMatchObject({ code: 'UNPROCESSABLE', field: 'name' });
  });

  it('leaves other errors alone, and turns serialization failures into 409', () => {
    expect(constraintProblem(new Error('boom'))).toBeUndefined();
    expect(constraintProblem(pg({ code: '42P01' }))).toBeUndefined();
    expect(domainErrorFromDatabase(pg({ code: '40001' }))?.code).toBe('CONFLICT');
  });
});
