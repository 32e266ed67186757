import forge from 'node-forge'
import tls from 'node:tls'
import {createPrivateKey, X509Certificate} from 'node:crypto'
import {createTestCertificate} from '../test/emulator/test-certificate.ts'
const c = createTestCertificate()
const other = createTestCertificate()
const both = c.certPem + c.keyPem
try { tls.createSecureContext({cert: both, key: both}); console.log('pem combined ok') } catch (e) { console.log('combined', e.message) }
try { tls.createSecureContext({cert: c.certPem, key: other.keyPem}); console.log('mismatch ok??') } catch (e) { console.log('mismatch', (e as Error).message, (e as any).code) }
for (const alg of ['aes128', '3des']) {
  const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(c.keyPem), forge.pki.certificateFromPem(c.certPem), 'password1', {algorithm: alg as any})
  const der = Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary')
  try { tls.createSecureContext({pfx: der, passphrase: 'password1'}); console.log(alg, 'pfx ok') } catch (e) { console.log(alg, 'pfx', (e as Error).message) }
  try { tls.createSecureContext({pfx: der, passphrase: 'wrong'}); console.log('wrong ok??') } catch (e) { console.log(alg, 'wrong', (e as Error).message) }
  try { tls.createSecureContext({pfx: Buffer.from('hello'), passphrase: 'wrong'}); } catch (e) { console.log('garbage', (e as Error).message) }
  // extract shrouded key der via forge to test createPrivateKey
  const bags = forge.pkcs12.pkcs12FromAsn1(p12, 'password1')
}
console.log(new X509Certificate(c.certPem).validTo, Date.parse(new X509Certificate(c.certPem).validTo))
