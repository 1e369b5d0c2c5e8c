import { acceptedContentType, cleanFileName, contentDisposition, looksLikeText, mayDeleteAttachment } from './attachment.rules';

describe('acceptedContentType', () => {
  it('takes images, PDF and Office documents by their signature', () => {
    expect(acceptedContentType('image/png', Buffer.alloc(8), 'x.png')).toBe('image/png');
    expect(acceptedContentType('application/pdf', Buffer.alloc(8), 'x.bin')).toBe('application/pdf');
    expect(acceptedContentType('application/vnd.openxmlformats-officedocument.wordprocessingml.document', Buffer.alloc(8), 'a.docx')).toMatch(/wordprocessingml/);
  });
  it('refuses other signatures, whatever the name says', () => {
    expect(acceptedContentType('application/x-msdownload', Buffer.from('MZ'), 'report.pdf')).toBeUndefined();
    expect(acceptedContentType('application/zip', Buffer.alloc(8), 'a.docx')).toBeUndefined();
  });
  it('takes UTF-8 text as plain text, or CSV by its name', () => {
    expect(acceptedContentType(undefined, Buffer.from('客户反馈汇总\n满意'), 'a.txt')).toBe('text/plain; charset=utf-8');
    expect(acceptedContentType(undefined, Buffer.from('名称,金额\n甲,1\n'), '汇总.CSV')).toBe('text/csv; charset=utf-8');
    expect(acceptedContentType(undefined, Buffer.from([0x00, 0x01, 0x02]), 'a.txt')).toBeUndefined();
  });
});

describe('looksLikeText', () => {
  it('allows a character cut at the end, refuses invalid UTF-8 and control bytes', () => {
    const text = Buffer.from('反馈');
    expect(looksLikeText(text.subarray(0, text.length - 1))).toBe(true);
    expect(looksLikeText(Buffer.from([0xff, 0xfe, 0x41]))).toBe(false);
    expect(looksLikeText(Buffer.from('a\u0007b'))).toBe(false);
    expect(looksLikeText(Buffer.alloc(0))).toBe(false);
  });
});

describe('file names', () => {
  it('keeps the last segment without control characters', () => {
    expect(cleanFileName('C:\\fakepath\\活动照片.jpg')).toBe('活动照片.jpg');
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('a\u0000b"c.txt')).toBe('abc.txt');
    expect(cleanFileName('')).toBe('file');
  });
  it('sends Chinese names in RFC 5987 form with an ASCII fallback', () => {
    expect(contentDisposition('客户反馈 汇总.pdf')).toBe(
      `attachment; filename="____ __.pdf"; filename*=UTF-8''%E5%AE%A2%E6%88%B7%E5%8F%8D%E9%A6%88%20%E6%B1%87%E6%80%BB.pdf`,
    );
    expect(contentDisposition("it's (1).txt")).toBe(`attachment; filename="it's (1).txt"; filename*=UTF-8''it%27s%20%281%29.txt`);
  });
});

describe('mayDeleteAttachment', () => {
  it('lets the uploader, the department\'s manager and admins delete', () => {
    const a = { uploadedBy: 'u' };
    expect(mayDeleteAttachment({ id: 'u', role: 'sales', departmentId: 'e' }, a, 'e')).toBe(true);
    expect(mayDeleteAttachment({ id: 'm', role: 'manager', departmentId: 'e' }, a, 'e')).toBe(true);
    expect(mayDeleteAttachment({ id: 'm', role: 'manager', departmentId: 'w' }, a, 'e')).toBe(false);
    expect(mayDeleteAttachment({ id: 's', role: 'sales', departmentId: 'e' }, a, 'e')).toBe(false);
    expect(mayDeleteAttachment({ id: 'x', role: 'admin', departmentId: 'w' }, a, 'e')).toBe(true);
  });
});
