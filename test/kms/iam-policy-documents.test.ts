/**
 * GetUserPolicy / GetRolePolicy return PolicyDocument URL-encoded, as IAM does: "Policies returned
 * by this operation are URL-encoded compliant with RFC 3986" (IAM API reference, GetUserPolicy,
 * GetRolePolicy). RFC 3986 leaves only `A-Z a-z 0-9 - . _ ~` as they are; IAM's real responses
 * confirm it encodes `*` (which encodeURIComponent does not) and spaces as %20 (not `+`). The two
 * expected strings below are IAM responses quoted in AWS SDK issues; putting their decoded text and
 * getting it back must give them byte for byte.
 */
import { createKms, type Kms } from '../../src/kms/index.js';
import { encodePolicyDocument } from '../../src/kms/policy/iam.js';
import { rejects } from './helpers.js';

// aws/aws-sdk-go#1513: GetAccountAuthorizationDetails, PolicyVersion.Document of AWSCertificateManagerFullAccess.
const FROM_GO_ISSUE =
  '%7B%0A%20%20%20%20%22Version%22%3A%20%222012-10-17%22%2C%0A%20%20%20%20%22Statement%22%3A%20%5B%0A%20%20%20%20%20%20%20%20%7B%0A%20%20%20%20%20%20%20%20%20%20%20%20%22Effect%22%3A%20%22Allow%22%2C%0A%20%20%20%20%20%20%20%20%20%20%20%20%22Action%22%3A%20%5B%0A%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%22acm%3A%2A%22%0A%20%20%20%20%20%20%20%20%20%20%20%20%5D%2C%0A%20%20%20%20%20%20%20%20%20%20%20%20%22Resource%22%3A%20%22%2A%22%0A%20%20%20%20%20%20%20%20%7D%0A%20%20%20%20%5D%0A%7D';
// aws/aws-sdk-java#730: GetRolePolicy, "URL encoded on the wire".
const FROM_JAVA_ISSUE =
  '%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid%22%3A%22Stmt1465345522686%22%2C%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22dynamodb%3ABatchGetItem%22%2C%22dynamodb%3ABatchWriteItem%22%2C%22dynamodb%3ADeleteItem%22%2C%22dynamodb%3ADescribeTable%22%2C%22dynamodb%3AGetItem%22%2C%22dynamodb%3AListTables%22%2C%22dynamodb%3APutItem%22%2C%22dynamodb%3AQuery%22%2C%22dynamodb%3AScan%22%2C%22dynamodb%3AUpdateItem%22%2C%22dynamodb%3AUpdateTable%22%5D%2C%22Resource%22%3A%5B%22arn%3Aaws%3Adynamodb%3Aap-southeast-2%3A%3Atable%2Fnwh-test-2-1465345522686%22%2C%22arn%3Aaws%3Adynamodb%3Aap-southeast-2%3A%3Atable%2Fnwh-test-2-1465345522686%2F%2A%22%2C%22arn%3Aaws%3Adynamodb%3Aus-west-2%3A%3Atable%2Fnwh-test-2-1465345522686_replica%22%2C%22arn%3Aaws%3Adynamodb%3Aus-west-2%3A%3Atable%2Fnwh-test-2-1465345522686_replica%2F%2A%22%5D%7D%5D%7D';

let kms: Kms;
beforeEach(async () => {
  kms = await createKms({ storage: 'memory' });
});
afterEach(() => kms.close());

describe('GetUserPolicy and GetRolePolicy return the document as IAM does: RFC 3986 percent-encoding', () => {
  it('gives back IAM\'s own encoded responses byte for byte', async () => {
    await kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'acm', PolicyDocument: decodeURIComponent(FROM_GO_ISSUE) });
    expect((await kms.iam.getUserPolicy({ UserName: 'alice', PolicyName: 'acm' })).PolicyDocument).toBe(FROM_GO_ISSUE);
    await kms.iam.putRolePolicy({ RoleName: 'nwh', PolicyName: 'dynamodb', PolicyDocument: decodeURIComponent(FROM_JAVA_ISSUE) });
    expect(await kms.iam.getRolePolicy({ RoleName: 'nwh', PolicyName: 'dynamodb' })).toEqual({ RoleName: 'nwh', PolicyName: 'dynamodb', PolicyDocument: FROM_JAVA_ISSUE });
    // encodeURIComponent alone is not it: it leaves the `*` of "acm:*" as it is.
    expect(encodeURIComponent(decodeURIComponent(FROM_GO_ISSUE))).not.toBe(FROM_GO_ISSUE);
  });

  it('keeps the text as put (whitespace, key order, non-ASCII) and decodeURIComponent restores it exactly', async () => {
    const text = `{\n\t"Version": "2012-10-17",\r\n  "Statement": {"Sid": "Unicode1", "Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringLike": {"kms:EncryptionContext:note": "Ünïcode: it's (maybe) ~fine! 🔑 #1 + 2 = 3 & ?=;@$,/"}}}}`;
    await kms.iam.putRolePolicy({ RoleName: 'app', PolicyName: 'p', PolicyDocument: text });
    const { PolicyDocument } = await kms.iam.getRolePolicy({ RoleName: 'app', PolicyName: 'p' });
    expect(decodeURIComponent(PolicyDocument)).toBe(text);
    // Only RFC 3986's unreserved characters and percent-escapes with upper-case hex remain.
    expect(PolicyDocument).toMatch(/^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/);
    expect(PolicyDocument).toContain('%2A');
    expect(PolicyDocument).toContain('it%27s%20%28maybe%29%20~fine%21%20%F0%9F%94%91%20%231%20%2B%202');
    expect(PolicyDocument).not.toContain('+');
  });

  it('encodePolicyDocument: every non-unreserved character, and only those', () => {
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      const expected = /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
      expect([ch, encodePolicyDocument(ch)]).toEqual([ch, expected]);
    }
    expect(encodePolicyDocument('é')).toBe('%C3%A9');
  });

  it('refuses, as a malformed document, text that is not well-formed Unicode (it could not be encoded back)', async () => {
    const broken = '{"Version": "2012-10-17", "Statement": {"Sid": "x", "Effect": "Allow", "Action": "kms:*", "Resource": "\uD800"}}';
    await rejects(kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'p', PolicyDocument: broken }), 'MalformedPolicyDocumentException', /unpaired surrogate/);
  });
});
