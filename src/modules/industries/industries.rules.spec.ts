import { listProblem, resolveIndustry } from './industries.rules';

const list = [
  { code: 'C', name: '制造业' },
  { code: 'I', name: '信息传输、软件和信息技术服务业' },
];

describe('resolveIndustry', () => {
  it('takes a name of the list as it is', () => {
    expect(resolveIndustry(list, '制造业')).toBe('制造业');
    expect(resolveIndustry(list, ' 制造业 ')).toBe('制造业');
  });

  it('takes a code, in either case, as its name', () => {
    expect(resolveIndustry(list, 'I')).toBe('信息传输、软件和信息技术服务业');
    expect(resolveIndustry(list, 'c')).toBe('制造业');
  });

  it('refuses what is neither a name nor a code', () => {
    expect(resolveIndustry(list, '制造')).toBeUndefined();
    expect(resolveIndustry(list, '通信设备')).toBeUndefined();
    expect(resolveIndustry(list, '')).toBeUndefined();
  });
});

describe('listProblem', () => {
  it('accepts distinct codes and names', () => {
    expect(listProblem(list)).toBeUndefined();
  });

  it('names a code or a name given twice', () => {
    expect(listProblem([...list, { code: 'c', name: '其他' }])).toMatch(/code c/);
    expect(listProblem([...list, { code: 'Z', name: '制造业' }])).toMatch(/name 制造业/);
  });

  it('refuses a name that is also a code (a value would mean two things)', () => {
    expect(listProblem([...list, { code: 'X', name: 'i' }])).toMatch(/also a code/);
  });
});
