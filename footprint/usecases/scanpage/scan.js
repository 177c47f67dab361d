// The static scan page: verifies a carbon label in the browser with nothing but files a
// static host serves (docs/static-verification.md). The same checks, in the same order, as
// the service's scan (footprint/usecases/scanning.py):
//   1. the label's COSE_Sign1 (base32 after '#') is well formed and deterministically encoded;
//   2. its Ed25519 signature verifies (WebCrypto) with the trust list's key of its kid, and
//      it was issued inside that key's window, not in the future;
//   3. a label of this platform's issuer is in the log: its leaf hash, found through the
//      label index, leads with hashes read from the tiles to the root of the checkpoint,
//      whose signed note verifies with the issuer's key;
//   4. the signed status list says whether it was superseded or revoked; its dates whether
//      it expired.
// CBOR is read by cborg (cborg.js, vendored, Apache-2.0); nothing else is imported.
import { decode, encode, rfc8949EncodeOptions, Tagged } from './cborg.js';

const ROOT = new URL('../', document.baseURI);   // the published directory
const CLOCK_SKEW = 300;                          // seconds, as footprint.labels.cose
const TILE_HEIGHT = 8, TILE_WIDTH = 256;
const SUPERSEDED = 1, REVOKED = 2;               // the status list's bits
const STAGES = ['raw_materials', 'production', 'distribution', 'use', 'end_of_life'];

// -- words: every string in Chinese and English ------------------------------------------
const WORDS = {
  zh: {
    brand: '碳标签核验', other: 'English', checking: '正在核验……',
    paste: '粘贴标签链接或编码', check: '核验',
    how: '本页在您的浏览器中完成全部核验：签名（信任列表）、公开日志（检查点与瓦片）和状态列表。不需要任何应用服务器。',
    trust: '信任列表', checkpoint: '日志检查点',
    'v-valid': '有效', 'v-superseded': '已被取代', 'v-revoked': '已撤销', 'v-expired': '已过期',
    'v-remote': '其他平台签发', 'v-unknown-issuer': '未知签发方', 'v-forged': '伪造标签',
    'v-unrecorded': '未记录的标签', 'v-unavailable': '暂时无法核验', 'v-malformed': '不是碳标签',
    'v-none': '请输入标签',
    'd-valid': '此碳标签真实有效。',
    'd-superseded': '此标签是真实的，但已被同一产品的新标签取代。以下数据已过时。',
    'd-revoked': '此标签已被平台撤销，请勿采信。',
    'd-expired': '此标签是真实的，但已于 {date} 过期，其数据不再获得担保。',
    'd-remote': '签名真实：此标签由本平台认可的平台 {name} 签发。其是否已被取代或撤销，请到签发平台查询。',
    'd-unknown-issuer': '警告：此标签并非由本平台认可的任何平台签发。其内容无法核验，不予显示。请勿采信与此编码一同印制的任何碳数据。',
    'd-forged': '警告：此标签不是真实标签。请勿采信与此编码一同印制的任何碳数据，并向销售方或平台举报。',
    'd-unrecorded': '警告：此标签带有本平台的签名，但不在本平台的公开日志中。真实的标签一定有记录。请勿采信，并向平台举报。',
    'd-unavailable': '本站发布的核验文件无法读取或未通过核验，因此无法判断此标签。请稍后再试，或到平台官网核验。',
    'd-malformed': '此编码不是完整的碳标签代码。请重新扫描产品上的二维码，或按印制内容准确输入标签链接。',
    'd-none': '请扫描标签上的二维码，或在下方粘贴标签链接。',
    footprint: '碳足迹', per: '每', grade: '等级', provisional: '（暂定）',
    'f-id': '标签编号', 'f-issuer': '签发方', 'f-category': '产品类别', 'f-region': '地区',
    'f-gtin': '商品条码', 'f-issued': '签发日期', 'f-expires': '有效期至', 'f-stages': '各阶段占比',
    'f-supersedes': '取代标签', range: '不确定性范围（P5–P95）：{low}–{high} kg CO₂e',
    checks: '核验项目', 'c-signature': '签名有效（{issuer}，密钥 {kid}）',
    'c-log': '已记录在公开日志中：第 {index} 号叶子（日志共 {size} 个叶子），检查点签名有效',
    'c-status': '状态列表（{at} 签署）：{state}',
    's-0': '未被取代或撤销', 's-1': '已被取代', 's-2': '已撤销', 's-3': '已撤销',
    'c-remote': '状态由签发平台记录，本站不核验',
    detail: '技术细节', stage_raw_materials: '原材料', stage_production: '生产',
    stage_distribution: '分销', stage_use: '使用', stage_end_of_life: '废弃处理',
    'r-malformed': '标签编码格式错误', 'r-bad-signature': '签名与标签内容不符',
    'r-algorithm': '签名算法不受支持', 'r-key-window': '签发时间不在密钥有效期内',
    'r-not-yet-valid': '签发时间晚于当前时间', 'r-unprotected-header': '标签含有未受保护的头部',
    'r-unknown-issuer': '签名密钥不在信任列表中',
  },
  en: {
    brand: 'Carbon label check', other: '中文', checking: 'Checking…',
    paste: 'Paste a label link or code', check: 'Check',
    how: 'This page makes every check in your browser: the signature (trust list), the public log (checkpoint and tiles) and the status list. No application server is involved.',
    trust: 'Trust list', checkpoint: 'Log checkpoint',
    'v-valid': 'Valid', 'v-superseded': 'Superseded', 'v-revoked': 'Revoked', 'v-expired': 'Expired',
    'v-remote': 'Issued by another platform', 'v-unknown-issuer': 'Unknown issuer',
    'v-forged': 'Forged label', 'v-unrecorded': 'Unrecorded label',
    'v-unavailable': 'Cannot check now', 'v-malformed': 'Not a carbon label', 'v-none': 'Enter a label',
    'd-valid': 'This carbon label is genuine and currently valid.',
    'd-superseded': 'This label is genuine but has been replaced by a newer label for the same product. The figures below are out of date.',
    'd-revoked': 'This label has been revoked by the platform. Do not rely on it.',
    'd-expired': 'This label is genuine but expired on {date}. Its figures are no longer vouched for.',
    'd-remote': 'The signature is genuine: this label was issued by {name}, a platform this one recognises. Whether it has since been superseded or revoked is recorded by the issuing platform; check its status there.',
    'd-unknown-issuer': 'Warning: this label was not issued by any platform this one recognises. Its contents cannot be checked, so they are not shown. Do not rely on any carbon figure printed with this code.',
    'd-forged': 'Warning: this label is not genuine. Do not rely on any carbon figure printed with this code. Please report it to the seller or to the platform.',
    'd-unrecorded': "Warning: this label carries this platform's signature but is not in its public log. A genuine label is always recorded. Do not rely on this one; please report it to the platform.",
    'd-unavailable': "The verification files this site publishes could not be read or did not verify, so this label cannot be judged. Try again later, or check it on the platform's own site.",
    'd-malformed': "This is not a complete carbon label code. Scan the QR code on the product again, or type the label's link exactly as printed.",
    'd-none': "Scan the QR code on the label, or paste the label's link below.",
    footprint: 'Carbon footprint', per: 'per', grade: 'Grade', provisional: ' (provisional)',
    'f-id': 'Label number', 'f-issuer': 'Issuer', 'f-category': 'Category', 'f-region': 'Region',
    'f-gtin': 'GTIN', 'f-issued': 'Issued', 'f-expires': 'Valid until', 'f-stages': 'Share by stage',
    'f-supersedes': 'Replaces label', range: 'Range P5–P95: {low}–{high} kg CO₂e',
    checks: 'Checks', 'c-signature': 'Signature valid ({issuer}, key {kid})',
    'c-log': 'Recorded in the public log: leaf {index} (log size {size}), checkpoint signature valid',
    'c-status': 'Status list (signed {at}): {state}',
    's-0': 'neither superseded nor revoked', 's-1': 'superseded', 's-2': 'revoked', 's-3': 'revoked',
    'c-remote': 'Its status is recorded by the issuing platform, not checked here',
    detail: 'Technical detail', stage_raw_materials: 'Raw materials', stage_production: 'Production',
    stage_distribution: 'Distribution', stage_use: 'Use', stage_end_of_life: 'End of life',
    'r-malformed': 'the label code is malformed', 'r-bad-signature': "the signature does not match the label's contents",
    'r-algorithm': 'the signature algorithm is not supported', 'r-key-window': "issued outside its key's validity",
    'r-not-yet-valid': 'issued after the present time', 'r-unprotected-header': 'the label has an unprotected header',
    'r-unknown-issuer': 'the signing key is not in the trust list',
  },
};

function initialLanguage() {
  const saved = localStorage.getItem('footprint-lang');
  if (saved === 'zh' || saved === 'en') return saved;
  const first = (navigator.languages && navigator.languages[0]) || navigator.language || 'zh';
  return first.toLowerCase().startsWith('en') ? 'en' : 'zh';   // Chinese unless asked otherwise
}
let lang = initialLanguage();
const t = (key, params = {}) =>
  (WORDS[lang][key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));

// -- failures that decide a verdict -------------------------------------------------------
class Refused extends Error {
  constructor(verdict, reason, detail) {
    super(detail || reason);
    this.verdict = verdict; this.reason = reason; this.detail = detail || '';
  }
}
const forged = (reason, detail) => new Refused('forged', reason, detail);
// a code that is not a label's at all (cut short when scanned or copied, before any key is
// consulted): a damaged scan to do again, not a forgery (footprint.labels LabelInvalid.unreadable)
const unreadable = (detail) => new Refused('malformed', 'malformed', detail);

// -- bytes ----------------------------------------------------------------------------------
const enc = new TextEncoder();
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const fromB64 = (text) => {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) {
    throw new Error('not base64');
  }
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
};
const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
const leafHash = (entry) => sha256(concat(Uint8Array.of(0), entry));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

// RFC 4648 base32 without padding, as footprint.labels.encoding.from_b32: each byte string
// has exactly one text form (up to case).
function fromB32(text) {
  const upper = text.toUpperCase();
  if (!/^[A-Z2-7]+$/.test(upper) || [1, 3, 6].includes(upper.length % 8)) {
    throw new Refused('malformed', 'malformed', 'not base32 (A-Z and 2-7, no padding)');
  }
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const out = [];
  let bits = 0, value = 0;
  for (const c of upper) {
    value = (value << 5) | alphabet.indexOf(c); bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  if (value & ((1 << bits) - 1)) {
    throw new Refused('malformed', 'malformed', 'base32 with non-zero trailing bits');
  }
  return new Uint8Array(out);
}

// The label's code: after '#', or ?c=, or pasted as a label URL (HTTPS://HOST/L/<B32>).
function codeOf(text) {
  const trimmed = (text || '').trim();
  const url = trimmed.match(/^HTTPS?:\/\/[^/\s]+(?:\/[^/\s]+)*?\/L\/#?([A-Za-z2-7]+)\/?$/i);
  return url ? url[1] : trimmed.replace(/^#/, '');
}

// -- CBOR (cborg) ----------------------------------------------------------------------------
const CBOR_OPTIONS = {
  strict: true, useMaps: true, rejectDuplicateMapKeys: true, allowIndefinite: false,
  allowUndefined: false, allowNaN: false, allowInfinity: false,
  // tag 18: COSE_Sign1; tag 4: a decimal fraction [exponent, mantissa] (the signed value)
  tags: { 18: Tagged.decoder(18), 4: (inner) => ({ decimal: inner() }) },
};
const cbor = (bytes) => decode(bytes, CBOR_OPTIONS);   // refuses trailing bytes too

function parseOuter(cose) {
  let outer;
  try { outer = cbor(cose); } catch (e) { throw unreadable(`not CBOR: ${e.message}`); }
  if (!(outer instanceof Tagged) || outer.tag !== 18) throw unreadable('not a tagged COSE_Sign1 (tag 18)');
  const parts = outer.value;
  if (!Array.isArray(parts) || parts.length !== 4) throw unreadable('COSE_Sign1 is an array of 4');
  const [protectedBytes, unprotected, payload, signature] = parts;
  if (!(protectedBytes instanceof Uint8Array) || !(payload instanceof Uint8Array)
      || !(signature instanceof Uint8Array) || !(unprotected instanceof Map)) {
    throw unreadable('COSE_Sign1 is [bstr, map, bstr, bstr]');
  }
  if (unprotected.size) throw forged('unprotected-header');
  const again = encode(new Tagged(18, [protectedBytes, new Map(), payload, signature]), rfc8949EncodeOptions);
  if (!equal(again, cose)) throw unreadable('COSE_Sign1 is not deterministically encoded');
  if (signature.length !== 64) throw unreadable('an Ed25519 signature is 64 bytes');
  let header;
  try { header = cbor(protectedBytes); } catch (e) { throw unreadable(`protected header is not CBOR: ${e.message}`); }
  if (!(header instanceof Map)) throw unreadable('protected header is not a map');
  if (header.get(1) !== -8) throw forged('algorithm', `alg is ${header.get(1)}, not -8 (EdDSA)`);
  const kid = header.get(4);
  if (!(kid instanceof Uint8Array)) throw unreadable('protected header has no kid (bstr)');
  if ([...header.keys()].some((k) => k !== 1 && k !== 4)) throw unreadable('unexpected protected header parameter');
  return { protectedBytes, payload, signature, kid };
}

// -- fetching the published files --------------------------------------------------------------
async function fetchBytes(path, fresh) {
  const response = await fetch(new URL(path, ROOT), { cache: fresh ? 'no-cache' : 'default' });
  if (response.status === 404) return null;
  if (!response.ok) throw new Refused('unavailable', 'unavailable', `${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
async function fetchRequired(path, fresh = true) {
  const bytes = await fetchBytes(path, fresh);
  if (bytes === null) throw new Refused('unavailable', 'unavailable', `${path}: not published`);
  return bytes;
}

// -- the trust list --------------------------------------------------------------------------
async function loadTrust() {
  const data = JSON.parse(new TextDecoder().decode(await fetchRequired('.well-known/footprint/trust-list.json')));
  const entries = [];
  for (const item of data.issuers || []) {
    try {
      const publicKey = fromB64(item.public_key), kid = fromB64(item.kid);
      if (publicKey.length !== 32 || !equal((await sha256(publicKey)).slice(0, 8), kid)) continue;
      entries.push({ ...item, kidBytes: kid, publicKey,
                     from: Date.parse(item.valid_from) / 1000, to: Date.parse(item.valid_to) / 1000 });
    } catch (e) { /* an entry that does not parse is no key at all */ }
  }
  return entries;
}
const ed25519 = (publicKey) => crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
async function signedBy(entry, signature, data) {
  return crypto.subtle.verify({ name: 'Ed25519' }, await ed25519(entry.publicKey), signature, data);
}

// COSE_Sign1 verified against the trust list: the entry of its key and its payload.
async function verifySign1(cose, trust) {
  const outer = parseOuter(cose);
  const entry = trust.find((e) => equal(e.kidBytes, outer.kid));
  if (!entry) throw new Refused('unknown-issuer', 'unknown-issuer', `key id ${hex(outer.kid)} is not in the trust list`);
  const toBeSigned = encode(['Signature1', outer.protectedBytes, new Uint8Array(0), outer.payload]);
  if (!(await signedBy(entry, outer.signature, toBeSigned))) {
    throw forged('bad-signature', `the signature does not verify with ${entry.id}'s key ${hex(entry.kidBytes)}`);
  }
  return { entry, payload: outer.payload };
}

// -- the label's claims (docs/label-format.md) ----------------------------------------------
const isInt = (v) => Number.isInteger(v) || typeof v === 'bigint';
function decimalText(value) {
  if (isInt(value)) return String(value);
  if (!value || !Array.isArray(value.decimal)) throw new Error('not a number');
  const [exponent, mantissa] = value.decimal.map(Number);
  const digits = String(Math.abs(mantissa));
  const sign = mantissa < 0 ? '-' : '';
  if (exponent >= 0) return sign + digits + '0'.repeat(exponent);
  const padded = digits.padStart(-exponent + 1, '0');
  return `${sign}${padded.slice(0, exponent)}.${padded.slice(exponent)}`;
}
// A footprint as footprint.display.footprint shows it: 3 significant figures, half away from
// zero, thousands grouped (figures: [exponent, mantissa], BigInt mantissa).
const FIGURES = 3;
function rounded([exponent, mantissa]) {
  const negative = mantissa < 0n;
  let digits = negative ? -mantissa : mantissa;
  let e = exponent;
  if (digits === 0n) return [0, 0n];
  const length = digits.toString().length;
  if (length < FIGURES) { digits *= 10n ** BigInt(FIGURES - length); e -= FIGURES - length; }
  if (length > FIGURES) {
    const cut = 10n ** BigInt(length - FIGURES);
    const rest = digits % cut;
    digits = digits / cut + (2n * rest >= cut ? 1n : 0n);
    e += length - FIGURES;
    if (digits.toString().length > FIGURES) { digits /= 10n; e += 1; }   // 999.5 -> 1000
  }
  return [e, negative ? -digits : digits];
}
function shown(figures) {
  const [whole, part] = decimalText({ decimal: rounded(figures) }).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return part === undefined ? grouped : `${grouped}.${part}`;
}
const fractionOf = (value) => (isInt(value) ? [0, BigInt(value)]
  : [Number(value.decimal[0]), BigInt(value.decimal[1])]);
// The range, P5 and P95 in kg CO2e as [exponent, mantissa] each (docs/label-format.md, "Range"):
// claim 20 signs them so; a label issued before it signs claim 19, per mille of the value,
// whose ends are value x per mille / 1000.
const MAX_EXPONENT = 400;
const compare = ([e1, m1], [e2, m2]) => {
  const e = Math.min(e1, e2);
  const a = m1 * 10n ** BigInt(e1 - e), b = m2 * 10n ** BigInt(e2 - e);
  return a < b ? -1 : a > b ? 1 : 0;
};
function readRange(map, value) {
  if (map.has(19)) {
    const permille = map.get(19);
    if (!Array.isArray(permille) || permille.length !== 2 || !permille.every((p) => isInt(p) && p >= 0)
        || !(permille[0] <= 1000 && 1000 <= permille[1])) {
      throw forged('malformed', 'claim 19 is not [low <= 1000, high >= 1000]');
    }
  }
  if (map.has(20)) {
    const signed = map.get(20);
    const sized = (m) => { const n = m < 0 ? -BigInt(m) : BigInt(m); return n === 0n || (n >= 100n && n <= 999n); };
    if (!Array.isArray(signed) || signed.length !== 4 || !signed.every(isInt)
        || ![signed[0], signed[2]].every((e) => Math.abs(Number(e)) <= MAX_EXPONENT)
        || ![signed[1], signed[3]].every(sized)) {
      throw forged('malformed', 'claim 20 is not [exponent, mantissa] of P5 and of P95');
    }
    const low = [Number(signed[0]), BigInt(signed[1])], high = [Number(signed[2]), BigInt(signed[3])];
    if (compare(low, high) > 0) throw forged('malformed', 'claim 20 has P95 below P5');
    return { low, high };
  }
  if (!map.has(19)) return null;
  const [e, m] = fractionOf(value);
  const [low, high] = map.get(19).map((p) => [e - 3, m * BigInt(p)]);
  return { low, high };
}
function readClaims(payload, issuer) {
  let map;
  try { map = cbor(payload); } catch (e) { throw forged('malformed', `the payload is not CBOR: ${e.message}`); }
  if (!(map instanceof Map)) throw forged('malformed', 'the claims are not a CBOR map');
  const need = (key, test, what) => {
    const value = map.get(key);
    if (!test(value)) throw forged('malformed', `claim ${key} ${what}`);
    return value;
  };
  const bytes8 = (v) => v instanceof Uint8Array && v.length === 8;
  const id = need(1, bytes8, 'is not 8 bytes');
  const issued = Number(need(2, isInt, 'is not a time'));
  const expires = Number(need(3, isInt, 'is not a time'));
  if (expires <= issued) throw forged('malformed', 'claim 3 is not after issued_at');
  const unit = need(8, (v) => Array.isArray(v) && v.length === 2 && typeof v[1] === 'string', 'is not [amount, unit]');
  const signedValue = need(9, (v) => v !== undefined, 'is missing');
  decimalText(signedValue);   // a number, or refused here
  const value = shown(fractionOf(signedValue));   // as the service's pages show it: 2,060
  const b32 = (raw) => encodeB32(raw);
  return {
    id: `${issuer}-${b32(id)}`, issued, expires,
    category: need(7, (v) => typeof v === 'string' && v, 'is not text'),
    region: need(13, (v) => typeof v === 'string' && v, 'is not text'),
    unit: { amount: decimalText(unit[0]), unit: unit[1] }, value,
    stages: need(10, (v) => Array.isArray(v) && v.length === STAGES.length, 'is not the stage split'),
    grade: map.get(11), provisional: map.get(12) === true,
    gtin: map.has(5) ? String(map.get(5)).padStart(14, '0') : null,
    supersedes: map.has(18) ? `${issuer}-${b32(map.get(18))}` : null,
    range: readRange(map, signedValue),
  };
}
function encodeB32(bytes) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '', bits = 0, value = 0;
  for (const b of bytes) {
    value = (value << 8) | b; bits += 8;
    while (bits >= 5) { out += alphabet[(value >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

// -- the log: checkpoint, tiles, inclusion (RFC 6962, C2SP tlog-tiles) ----------------------
async function verifiedCheckpoint(trust, issuers) {
  const note = new TextDecoder().decode(await fetchRequired('log/checkpoint'));
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new Refused('unavailable', 'unavailable', 'the checkpoint is not a signed note');
  const text = note.slice(0, split + 1);
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const match = line.match(/^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/);
    if (!match || !issuers.includes(match[1])) continue;
    const blob = fromB64(match[2]);
    for (const entry of trust.filter((e) => e.id === match[1])) {
      const keyId = (await sha256(concat(enc.encode(match[1]), Uint8Array.of(0x0a, 0x01), entry.publicKey))).slice(0, 4);
      if (equal(keyId, blob.slice(0, 4)) && await signedBy(entry, blob.slice(4), enc.encode(text))) {
        const [origin, size, root] = text.split('\n');
        if (!origin || !/^(0|[1-9][0-9]*)$/.test(size)) break;
        return { size: Number(size), root: fromB64(root), rootText: root };
      }
    }
  }
  throw new Refused('unavailable', 'unavailable', 'the checkpoint is not signed by this platform\'s key');
}

const tilePath = (level, n, width) => {
  const groups = [String(n % 1000).padStart(3, '0')];
  for (n = Math.floor(n / 1000); n; n = Math.floor(n / 1000)) groups.unshift(`x${String(n % 1000).padStart(3, '0')}`);
  return `log/tile/${level}/${groups.join('/')}${width === TILE_WIDTH ? '' : `.p/${width}`}`;
};

// Hashes of the tree of `size` leaves, read from tiles (each fetched once).
function treeOf(size) {
  const tiles = new Map();
  async function tile(level, n) {
    const count = Math.floor(size / TILE_WIDTH ** level);   // complete nodes at this level
    const width = Math.min(TILE_WIDTH, count - n * TILE_WIDTH);
    const path = tilePath(level, n, width);
    if (!tiles.has(path)) {
      tiles.set(path, fetchRequired(path, false).then((bytes) => {
        if (bytes.length !== 32 * width) throw new Refused('unavailable', 'unavailable', `${path} is not ${width} hashes`);
        return bytes;
      }));
    }
    return tiles.get(path);
  }
  // The perfect subtree of 2**height leaves numbered k: stored in a tile when height is a
  // multiple of 8, else hashed up from the 2**(height % 8) hashes of the tile below it.
  async function perfect(height, k) {
    const level = Math.floor(height / TILE_HEIGHT), rest = height % TILE_HEIGHT;
    const first = k * 2 ** rest, count = 2 ** rest;
    const bytes = await tile(level, Math.floor(first / TILE_WIDTH));
    let row = [];
    for (let i = 0; i < count; i++) {
      const at = (first % TILE_WIDTH + i) * 32;
      row.push(bytes.slice(at, at + 32));
    }
    while (row.length > 1) {
      const next = [];
      for (let i = 0; i < row.length; i += 2) next.push(await nodeHash(row[i], row[i + 1]));
      row = next;
    }
    return row[0];
  }
  const split = (n) => 2 ** (Math.ceil(Math.log2(n)) - 1);   // the largest power of two < n
  // MTH of leaves [a, b): a perfect subtree when b - a is a power of two (and a is aligned,
  // as every range RFC 6962's recursion makes is), else split.
  async function mth(a, b) {
    const n = b - a;
    if ((n & (n - 1)) === 0 && n <= 2 ** 30) return perfect(Math.log2(n), a / n);
    const k = split(n);
    return nodeHash(await mth(a, a + k), await mth(a + k, b));
  }
  // The root of [a, b) computed with `leaf` at index m and every other hash from the tiles:
  // RFC 6962's PATH(m) folded, so the result is the root only if the leaf is there.
  async function rootWith(m, leaf, a = 0, b = size) {
    if (b - a === 1) return leaf;
    const k = split(b - a);
    return m < a + k ? nodeHash(await rootWith(m, leaf, a, a + k), await mth(a + k, b))
                     : nodeHash(await mth(a, a + k), await rootWith(m, leaf, a + k, b));
  }
  return { rootWith, fetched: () => tiles.size };
}

async function leafIndex(leaf) {
  const digits = hex(leaf);
  const shard = await fetchBytes(`log/label-index/${digits.slice(0, 3)}.json`, true);
  if (shard === null) return null;
  const index = JSON.parse(new TextDecoder().decode(shard))[digits.slice(0, 16)];
  return Number.isInteger(index) ? index : null;
}

// -- the signed status list --------------------------------------------------------------------
async function verifiedStatus(trust) {
  const { entry, payload } = await verifySign1(await fetchRequired('log/status-list'), trust)
    .catch((e) => { throw new Refused('unavailable', 'unavailable', `status list: ${e.detail || e.message}`); });
  const body = JSON.parse(new TextDecoder().decode(payload));
  if (body.type !== 'label-status-list' || body.issuer !== entry.id || !Array.isArray(body.issuers)
      || body.bits !== 2 || body.encoding !== 'gzip+base64') {
    throw new Refused('unavailable', 'unavailable', 'not a label status list');
  }
  const signedAt = Date.parse(body.signed_at) / 1000;
  if (!(entry.from <= signedAt && signedAt <= entry.to)) throw new Refused('unavailable', 'unavailable', 'status list signed outside its key\'s window');
  const stream = new Blob([fromB64(body.status)]).stream().pipeThrough(new DecompressionStream('gzip'));
  const bits = new Uint8Array(await new Response(stream).arrayBuffer());
  return { ...body, at: (i) => (i < bits.length * 4 ? (bits[Math.floor(i / 4)] >> (6 - 2 * (i % 4))) & 3 : 0) };
}

// -- the whole check (footprint.usecases.scanning.check, in the browser) --------------------
async function check(code) {
  const cose = fromB32(code);
  const trust = await loadTrust();
  const { entry, payload } = await verifySign1(cose, trust);
  const claims = readClaims(payload, entry.id);
  const now = Date.now() / 1000;
  if (!(entry.from <= claims.issued && claims.issued <= entry.to)) throw forged('key-window', `issued outside the window of key ${hex(entry.kidBytes)}`);
  if (claims.issued > now + CLOCK_SKEW) throw forged('not-yet-valid');
  const expired = claims.expires < now;
  const scan = { claims, issuer: entry, checks: [['ok', t('c-signature', { issuer: entry.name, kid: hex(entry.kidBytes) })]] };
  const status = await verifiedStatus(trust);
  if (!status.issuers.includes(entry.id)) {           // another platform's label
    scan.checks.push(['info', t('c-remote')]);
    return { ...scan, verdict: expired ? 'expired' : 'remote' };
  }
  const checkpoint = await verifiedCheckpoint(trust, status.issuers);
  if (status.tree_size !== checkpoint.size || status.root !== checkpoint.rootText) {
    throw new Refused('unavailable', 'unavailable', 'the status list and the checkpoint describe different logs');
  }
  const leaf = await leafHash(cose);
  const index = await leafIndex(leaf);
  const unrecorded = (detail) => new Refused('unrecorded', 'unrecorded', detail);
  if (index === null || index >= checkpoint.size) throw unrecorded('the label index has no leaf for this label');
  const tree = treeOf(checkpoint.size);
  if (!equal(await tree.rootWith(index, leaf), checkpoint.root)) {
    throw unrecorded(`leaf ${index} does not lead to the checkpoint's root`);
  }
  scan.log = { index, size: checkpoint.size, tiles: tree.fetched() };
  scan.checks.push(['ok', t('c-log', { index, size: checkpoint.size })]);
  const state = status.at(index);
  scan.checks.push([state ? 'bad' : 'ok', t('c-status', { at: day(Date.parse(status.signed_at) / 1000), state: t(`s-${state}`) })]);
  const verdict = state & REVOKED ? 'revoked' : state & SUPERSEDED ? 'superseded' : expired ? 'expired' : 'valid';
  return { ...scan, verdict };
}

// -- showing the verdict -------------------------------------------------------------------
// what is not named here is a danger: a label not to rely on
const TONES = { valid: 'good', remote: 'good', superseded: 'caution', expired: 'caution',
                unavailable: 'caution', none: 'neutral' };
const day = (seconds) => new Date(seconds * 1000).toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en-GB',
  { year: 'numeric', month: lang === 'zh' ? 'numeric' : 'short', day: 'numeric', timeZone: 'Asia/Shanghai' });
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

let last = null;
function render(result) {
  last = result;
  const { verdict } = result;
  const tone = TONES[verdict] || 'danger';
  const article = document.getElementById('scan');
  article.dataset.verdict = verdict;
  article.dataset.reason = result.reason || '';
  const vouched = ['valid', 'remote', 'superseded', 'revoked', 'expired'].includes(verdict);
  article.className = `scan${['valid', 'remote'].includes(verdict) ? '' : ' void'}`;
  const mark = { good: '✓ ', danger: '✗ ', caution: '! ', neutral: '' }[tone];
  const box = el('section', { id: 'verdict', class: `verdict tone-${tone}`, role: tone === 'danger' ? 'alert' : 'status' },
    el('p', { class: 'verdict-word' }, `${mark}${t(`v-${verdict}`)}`),
    el('p', { class: tone === 'danger' ? 'warning-title' : '' },
       t(`d-${verdict}`, { date: result.claims ? day(result.claims.expires) : '', name: result.issuer ? result.issuer.name : '' })));
  if (verdict !== 'malformed') {   // a damaged scan is said plainly, without the parser's words
    if (result.reason && WORDS[lang][`r-${result.reason}`]) box.append(el('p', {}, t(`r-${result.reason}`)));
    if (result.detail) box.append(el('p', { class: 'small' }, el('code', {}, `${result.reason}: ${result.detail}`)));
  }
  const parts = [box];
  if (vouched && result.claims) parts.push(...figures(result));
  article.replaceChildren(...parts);
  document.getElementById('ask').hidden = !['malformed', 'none'].includes(verdict);
}

function figures({ claims, issuer, checks }) {
  const c = claims;
  const head = el('section', { class: 'card', id: 'figures' },
    el('h2', {}, t('footprint')),
    el('p', { class: 'headline', id: 'value' }, c.value, ' ',
       el('span', { class: 'unit' }, `kg CO₂e ${t('per')} ${c.unit.amount} ${c.unit.unit}`)));
  if (c.range) head.append(el('p', { class: 'small', id: 'range' }, t('range', { low: shown(c.range.low), high: shown(c.range.high) })));
  if (typeof c.grade === 'string') head.append(el('p', {}, `${t('grade')} `, el('span', { class: 'grade' }, c.grade), c.provisional ? t('provisional') : ''));
  const facts = el('dl', { class: 'facts' });
  const fact = (key, value) => { if (value) facts.append(el('dt', {}, t(key)), el('dd', {}, value)); };
  fact('f-id', c.id);
  fact('f-issuer', `${issuer.name} (${issuer.id})`);
  fact('f-category', c.category);
  fact('f-region', c.region);
  fact('f-gtin', c.gtin);
  fact('f-issued', day(c.issued));
  fact('f-expires', day(c.expires));
  fact('f-supersedes', c.supersedes);
  const shares = STAGES.map((stage, i) => [stage, c.stages[i]]).filter(([, share]) => isInt(share))
    .map(([stage, share]) => `${t(`stage_${stage}`)} ${(Number(share) / 10).toFixed(1)}%`).join(' · ');
  fact('f-stages', shares);
  const list = el('ul', { class: 'checks', id: 'checks' }, ...checks.map(([kind, text]) => el('li', { class: kind }, text)));
  return [head, el('section', { class: 'card' }, facts), el('section', { class: 'card' }, el('h2', {}, t('checks')), list)];
}

function translateStatic() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = `${t('brand')} · ${lang === 'zh' ? 'Carbon label check' : '碳标签核验'}`;
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
  const button = document.getElementById('lang');
  button.textContent = t('other');
  button.lang = lang === 'zh' ? 'en' : 'zh';
}

async function run(code) {
  if (!code) { render({ verdict: 'none' }); return; }
  try {
    render(await check(code));
  } catch (e) {
    render(e instanceof Refused ? { verdict: e.verdict, reason: e.reason, detail: e.detail }
                                : { verdict: 'unavailable', reason: 'unavailable', detail: String(e.message || e) });
  }
}

document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('footprint-lang', lang);
  translateStatic();
  if (last) run(codeOf(location.hash.slice(1) || new URLSearchParams(location.search).get('c')));
});
document.getElementById('ask').addEventListener('submit', (event) => {
  event.preventDefault();
  location.hash = codeOf(document.getElementById('code').value);
});
window.addEventListener('hashchange', () => run(codeOf(location.hash.slice(1))));
translateStatic();
run(codeOf(location.hash.slice(1) || new URLSearchParams(location.search).get('c')));
