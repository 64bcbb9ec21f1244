#!/usr/bin/env node
// make.js: writes mqscope's payload test vectors with independent encoders (npm: Eclipse Tahu's
// sparkplug-payload and the protobufjs it uses, cbor, @msgpack/msgpack; protoc for the
// descriptor set), and next to each the document mqscope must decode it to (the format is
// described in include/mqscope/decode.h). tests/unit/test_decode.c reads cases.json; the
// same vectors, each behind the byte that picks its decoder, seed tests/fuzz/fuzz_decode.c.
//
//   (cd tests/node && npm install) && node tests/vectors/make.js
//
// The output is committed; run this again only to change the vectors.
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const here = __dirname;
const modules = path.join(here, '..', 'node', 'node_modules');
const need = (m) => require(path.join(modules, m));
const cbor = need('cbor');
const mp = need('@msgpack/msgpack');
const sparkplug = need('sparkplug-payload').get('spBv1.0');
const protobuf = need('protobufjs');
const Long = need('long');
// Tahu's own protobufjs classes, for what its encodePayload cannot express (arrays, a metric
// without a datatype).
const SpbPayload = need('sparkplug-payload/lib/sparkplugPayloadProto').org.eclipse.tahu.protobuf
  .Payload;

const cases = { cbor: [], msgpack: [], protobuf: [], protobuf_schema: [], sparkplug: [] };

function write(rel, bytes) {
  const file = path.join(here, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.from(bytes));
  return rel;
}

// ---- the document format's pieces ----

const bytes = (b) => ({ $bytes: Buffer.from(b).toString('base64') });
const tag = (n, name, value) => (name ? { $tag: n, $name: name, value } : { $tag: n, value });
const ext = (n, name, value) => (name ? { $ext: n, $name: name, value } : { $ext: n, value });
// An exact integer of any size: BigInt in JS, its digits in the JSON.
const big = (s) => BigInt(s);

// JSON text with BigInts as their digits (JSON.stringify cannot write them).
function json(v, indent = '') {
  const next = indent + '  ';
  if (typeof v === 'bigint') return v.toString();
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[\n' + v.map((x) => next + json(x, next)).join(',\n') + '\n' + indent + ']';
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return '{}';
  return '{\n' + keys.map((k) => next + JSON.stringify(k) + ': ' + json(v[k], next)).join(',\n') +
    '\n' + indent + '}';
}

// ---- CBOR (cbor) ----

function cborIndefinite(obj, opts) {
  const enc = new cbor.Encoder();
  const out = [];
  enc.on('data', (c) => out.push(c));
  cbor.Encoder.encodeIndefinite(enc, obj, opts);
  enc.end();
  return Buffer.concat(out);
}

function cborCase(name, data, expect) {
  cases.cbor.push({ name, file: write(`cbor/${name}.cbor`, data), expect });
}

function cborError(name, data, error) {
  cases.cbor.push({ name, file: write(`cbor/${name}.cbor`, data), error });
}

// Integers that fit 64 bits as CBOR integers (cbor would otherwise tag every BigInt a bignum).
cborCase('scalars', cbor.encodeOne({
  u8: 24, u16: 1000, u32: 100000, u64: 2n ** 40n, max: 2n ** 64n - 1n, neg: -1, neg64: -(2n ** 63n),
  min: -(2n ** 64n),
  f32: 1.5, f64: 0.1, t: true, f: false, n: null, s: 'h\u00e9llo \u20ac', b: Buffer.from([0, 1, 254, 255]),
  empty: '', nul: 'a\u0000b',
}, { collapseBigIntegers: true }), {
  u8: 24, u16: 1000, u32: 100000, u64: 1099511627776, max: big('18446744073709551615'), neg: -1,
  neg64: big('-9223372036854775808'), min: big('-18446744073709551616'), f32: 1.5, f64: 0.1, t: true, f: false, n: null,
  s: 'h\u00e9llo \u20ac', b: bytes([0, 1, 254, 255]), empty: '', nul: 'a\u0000b',
});
cborCase('floats', cbor.encodeCanonical([1.5, 65504, 100000.5, 1e300, Infinity, -Infinity, NaN, -0.25]),
  [1.5, 65504, 100000.5, 1e300, 'Infinity', '-Infinity', 'NaN', -0.25]);
cborCase('tags', cbor.encode([
  new cbor.Tagged(32, 'http://example.com/'), new Date(1700000000000), 2n ** 70n, -(2n ** 70n),
  new cbor.Tagged(55799, { a: 1 }), new cbor.Tagged(12345, 'a tag without a name'),
  new Set([1, 2]), new cbor.Tagged(0, '2023-11-14T22:13:20Z'),
]), [
  tag(32, 'URI', 'http://example.com/'), tag(1, 'epoch time', 1700000000),
  tag(2, 'unsigned bignum', big('1180591620717411303424')),
  tag(3, 'negative bignum', big('-1180591620717411303424')),
  tag(55799, 'self-described CBOR', { a: 1 }), tag(12345, null, 'a tag without a name'),
  tag(258, 'set', [1, 2]), tag(0, 'date/time string', '2023-11-14T22:13:20Z'),
]);
cborCase('map-keys', cbor.encode(new Map([
  [1, 'one'], [-2, 'minus two'], [[1, 2], 'an array'], [true, 'true'], [Buffer.from([1]), 'bytes'],
  ['s', { nested: new Map([[0, null]]) }],
])), {
  1: 'one', '-2': 'minus two', '[1,2]': 'an array', true: 'true', '{"$bytes":"AQ=="}': 'bytes',
  s: { nested: { 0: null } },
});
cborCase('undefined', cbor.encode([undefined, null, []]), [{ $undefined: true }, null, []]);
cborCase('indefinite', Buffer.concat([
  Buffer.from([0x84]), cborIndefinite([1, [2, 3]]), cborIndefinite({ a: 1, b: [true] }),
  cborIndefinite('hello world', { chunkSize: 4 }), cborIndefinite(Buffer.from('abcdef'), { chunkSize: 4 }),
]), [[1, [2, 3]], { a: 1, b: [true] }, 'hello world', bytes(Buffer.from('abcdef'))]);
cborCase('sensor', cbor.encode({
  device: 'cbor-sensor-1', temperature: 21.25, humidity: 48, state: 'on', ts: new Date(1700000000000),
}), {
  device: 'cbor-sensor-1', temperature: 21.25, humidity: 48, state: 'on',
  ts: tag(1, 'epoch time', 1700000000),
});
{
  let deep = 1;
  for (let i = 0; i < 63; i++) deep = [deep];
  let exp = 1;
  for (let i = 0; i < 63; i++) exp = [exp];
  cborCase('deep-63', cbor.encode(deep), exp);
  cborError('deep-70', cbor.encode([[[[[[[deep]]]]]]]), 'nested too deep');
}
cborError('cut', cbor.encode({ a: 'truncated string' }).subarray(0, 10), 'cut short');
cborError('trailing', Buffer.concat([cbor.encode(1), cbor.encode(2)]), '1 bytes after the item');
cborError('simple-16', cbor.encode(new cbor.Simple(16)), 'malformed or unsupported');
cborError('huge-claim', Buffer.from([0x9b, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00]), 'cut short');

// ---- MessagePack (@msgpack/msgpack) ----

function mpCase(name, data, expect) {
  cases.msgpack.push({ name, file: write(`msgpack/${name}.msgpack`, data), expect });
}

function mpError(name, data, error) {
  cases.msgpack.push({ name, file: write(`msgpack/${name}.msgpack`, data), error });
}

mpCase('scalars', mp.encode({
  nil: null, t: true, f: false, pos: 1, u8: 200, u16: 60000, u32: 4000000000, u64: 2n ** 64n - 1n,
  neg: -1, i8: -100, i16: -30000, i32: -2000000000, i64: -(2n ** 63n), f64: 0.1, s: 'h\u00e9llo',
  bin: new Uint8Array([1, 2, 3]), empty: '', arr: [1, 'two', [3]],
}, { useBigInt64: true }), {
  nil: null, t: true, f: false, pos: 1, u8: 200, u16: 60000, u32: 4000000000,
  u64: big('18446744073709551615'), neg: -1, i8: -100, i16: -30000, i32: -2000000000,
  i64: big('-9223372036854775808'), f64: 0.1, s: 'h\u00e9llo', bin: bytes([1, 2, 3]), empty: '',
  arr: [1, 'two', [3]],
});
mpCase('float32', mp.encode({ x: 1.5, y: 0.1, z: -273.15 }, { forceFloat32: true }),
  { x: 1.5, y: 0.1, z: -273.15 });
mpCase('timestamps', mp.encode([new Date(1700000000000), new Date(1700000000123), new Date(-1000)]), [
  ext(-1, 'timestamp', '2023-11-14T22:13:20Z'), ext(-1, 'timestamp', '2023-11-14T22:13:20.123Z'),
  ext(-1, 'timestamp', '1969-12-31T23:59:59Z'),
]);
mpCase('ext', mp.encode([new mp.ExtData(5, new Uint8Array([9, 8])), new mp.ExtData(-2, new Uint8Array(16))]),
  [ext(5, null, bytes([9, 8])), ext(-2, null, bytes(new Uint8Array(16)))]);
{
  const long = 'x'.repeat(300);
  const many = Array.from({ length: 20 }, (_, i) => i);
  const wide = {};
  for (let i = 0; i < 20; i++) wide['k' + i] = i;
  mpCase('sizes', mp.encode({ long, many, wide }), { long, many, wide });
}
mpCase('sensor', mp.encode({ device: 'msgpack-sensor-1', power: 1234.5, voltage: 230, state: 'off', ts: 1700000000 }),
  { device: 'msgpack-sensor-1', power: 1234.5, voltage: 230, state: 'off', ts: 1700000000 });
{
  let deep = 1;
  for (let i = 0; i < 70; i++) deep = [deep];
  mpError('deep-70', mp.encode(deep, { maxDepth: 200 }), 'nested too deep');
}
mpError('cut', mp.encode({ a: 'truncated string' }).subarray(0, 8), 'cut short');
mpError('trailing', Buffer.concat([mp.encode(1), mp.encode(2)]), '1 bytes after the value');
mpError('huge-claim', Buffer.from([0xdd, 0x10, 0x00, 0x00, 0x00]), 'cut short');
mpError('never-used', Buffer.from([0xc1]), 'malformed');

// ---- Protocol Buffers (protobufjs; protoc for the descriptor set) ----

const schemaDir = path.join(here, 'protobuf');
const telemetryProto = path.join(schemaDir, 'telemetry.proto');
const root = protobuf.loadSync(telemetryProto);
const Telemetry = root.lookupType('demo.Telemetry');
const TelemetryV2 = root.lookupType('demo.TelemetryV2');
const Raw = root.lookupType('demo.Raw');
execFileSync('protoc', ['--proto_path=' + schemaDir, '--include_imports',
  '--descriptor_set_out=' + path.join(schemaDir, 'telemetry.desc'), 'telemetry.proto']);

function pb(type, obj) {
  const msg = type.fromObject(obj);
  const err = type.verify(msg);
  if (err) throw new Error(err);
  return type.encode(msg).finish();
}

function schemaCase(name, data, expect, message = 'demo.Telemetry') {
  cases.protobuf_schema.push({
    name, schema: 'protobuf/telemetry.desc', message, file: write(`protobuf/${name}.pb`, data), expect,
  });
}

schemaCase('telemetry-full', pb(Telemetry, {
  device: 'pb-sensor-1', temperature: 21.5, humidity: 0.1, uptime: Long.fromString('-9007199254740993'),
  counter: Long.fromString('18446744073709551615', true), offset: -2, flags: 0xdeadbeef, online: true,
  status: 'FAULT', raw: Buffer.from([0, 255]), readings: [1, -1, 300], extra: { a: 1.5, b: -2 },
  location: { lat: 52.5, lon: 13.25 }, text: 'hello', stops: [{ lat: 1 }, { lon: 2 }], maybe: 0,
}), {
  device: 'pb-sensor-1', temperature: 21.5, humidity: 0.1, uptime: big('-9007199254740993'),
  counter: big('18446744073709551615'), offset: -2, flags: 3735928559, online: true, status: 'FAULT',
  raw: bytes([0, 255]), readings: [1, -1, 300], extra: { a: 1.5, b: -2 },
  location: { lat: 52.5, lon: 13.25 }, text: 'hello', stops: [{ lat: 1 }, { lon: 2 }], maybe: 0,
});
schemaCase('telemetry-defaults', pb(Telemetry, { device: '', temperature: 0, code: 0 }), { code: 0 });
schemaCase('telemetry-unknown-enum', Buffer.concat([pb(Telemetry, { device: 'x' }), Buffer.from([0x48, 0x07])]),
  { device: 'x', status: 7 });
schemaCase('telemetry-newer-sender', pb(TelemetryV2, { device: 'v2', firmware: '2.0.1', battery: 87 }),
  { device: 'v2', $unknown: { 20: '2.0.1', 21: 87 } });
schemaCase('nested-type', pb(root.lookupType('demo.Location'), { lat: -33.5, lon: 151.25 }),
  { lat: -33.5, lon: 151.25 }, 'demo.Location');

function rawCase(name, data, expect) {
  cases.protobuf.push({ name, file: write(`protobuf/${name}.pb`, data), expect });
}

rawCase('raw-fields', pb(Raw, {
  number: 150, text: 'testing', inner: { number: 1 }, f32: 1.5, f64: 0.25, negative: -1,
  packed: [1, 2, 3], texts: ['a', 'b'], blob: Buffer.from([0xff, 0xfe]), zigzag: -2,
}), {
  1: 150, 2: 'testing', 3: { 1: 1 }, 4: { fixed32: 1069547520, float: 1.5 },
  5: { fixed64: 4598175219545276416, double: 0.25 },
  6: { varint: big('18446744073709551615'), int64: -1 }, 7: bytes([1, 2, 3]), 8: ['a', 'b'],
  9: bytes([0xff, 0xfe]), 10: 3,
});
rawCase('raw-text-like-message', pb(Raw, { inner: { text: 'hi' } }), { 3: { 2: 'hi' } });
rawCase('raw-empty', Buffer.alloc(0), {});
cases.protobuf.push({ name: 'raw-cut', file: write('protobuf/raw-cut.pb', pb(Raw, { text: 'testing' }).subarray(0, 5)),
  error: 'not a protobuf message' });

// ---- Sparkplug B (sparkplug-payload) ----

const T0 = 1700000000000;

function spb(obj) {
  return sparkplug.encodePayload(obj);
}

function spbRaw(obj) {
  return SpbPayload.encode(SpbPayload.fromObject(obj)).finish();
}

// One scenario: messages the model sees in order; those with `expect` are decoded right after.
function scenario(name, steps) {
  cases.sparkplug.push({
    name,
    steps: steps.map((s, i) => {
      const out = { topic: s.topic, time_ms: s.time_ms || T0 + i };
      out.file = write(`sparkplug/${name}-${i + 1}.${s.text ? 'txt' : 'pb'}`, s.text ? Buffer.from(s.text) : s.data);
      if (s.expect) out.expect = s.expect;
      if (s.error) out.error = s.error;
      return out;
    }),
  });
}

const m = (value, datatype, more = {}) => Object.assign(value === undefined ? {} : { value }, { datatype }, more);

scenario('plant', [
  {
    topic: 'spBv1.0/Plant1/NBIRTH/Edge1',
    data: spb({
      timestamp: T0, seq: 0, metrics: [
        { name: 'bdSeq', type: 'UInt64', value: 0 },
        { name: 'Node Control/Rebirth', alias: 1, type: 'Boolean', value: false },
        { name: 'Uptime', alias: 2, type: 'Int64', value: 12345, timestamp: T0 },
        { name: 'Temperature', alias: 3, type: 'Double', value: 21.5 },
        { name: 'Version', alias: 4, type: 'String', value: '1.2.3' },
      ],
    }),
    expect: {
      message: 'NBIRTH', timestamp: T0, seq: 0, metrics: {
        bdSeq: m(0, 'UInt64'),
        'Node Control/Rebirth': m(false, 'Boolean', { alias: 1 }),
        Uptime: m(12345, 'Int64', { alias: 2, timestamp: T0 }),
        Temperature: m(21.5, 'Double', { alias: 3 }),
        Version: m('1.2.3', 'String', { alias: 4 }),
      },
    },
  },
  {
    topic: 'spBv1.0/Plant1/DBIRTH/Edge1/Pump1',
    data: spb({
      timestamp: T0 + 1, seq: 1, metrics: [
        { name: 'Speed', alias: 10, type: 'Float', value: 1450.5 },
        { name: 'Running', alias: 11, type: 'Boolean', value: true },
        { name: 'Count', alias: 12, type: 'UInt32', value: 4000000000 },
        { name: 'Offset', alias: 13, type: 'Int8', value: -5 },
        { name: 'Delta', alias: 14, type: 'Int16', value: -300 },
        { name: 'Level', alias: 15, type: 'Int32', value: -70000 },
        { name: 'Big', alias: 16, type: 'Int64', value: Long.fromString('-9007199254740993') },
        { name: 'Huge', alias: 17, type: 'UInt64', value: Long.fromString('18446744073709551615', true) },
        { name: 'Stamp', alias: 18, type: 'DateTime', value: T0 },
        { name: 'Serial', alias: 19, type: 'UUID', value: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' },
        { name: 'Notes', alias: 20, type: 'Text', value: 'two\nlines' },
        { name: 'Blob', alias: 21, type: 'Bytes', value: Buffer.from([0, 1, 2, 255]) },
        { name: 'Small', alias: 22, type: 'UInt8', value: 200 },
        { name: 'Medium', alias: 23, type: 'UInt16', value: 60000 },
        { name: 'Nothing', alias: 24, type: 'Int32', value: null },
      ],
    }),
    expect: {
      message: 'DBIRTH', timestamp: T0 + 1, seq: 1, metrics: {
        Speed: m(1450.5, 'Float', { alias: 10 }),
        Running: m(true, 'Boolean', { alias: 11 }),
        Count: m(4000000000, 'UInt32', { alias: 12 }),
        Offset: m(-5, 'Int8', { alias: 13 }),
        Delta: m(-300, 'Int16', { alias: 14 }),
        Level: m(-70000, 'Int32', { alias: 15 }),
        Big: m(big('-9007199254740993'), 'Int64', { alias: 16 }),
        Huge: m(big('18446744073709551615'), 'UInt64', { alias: 17 }),
        Stamp: m(T0, 'DateTime', { alias: 18 }),
        Serial: m('1b4e28ba-2fa1-11d2-883f-0016d3cca427', 'UUID', { alias: 19 }),
        Notes: m('two\nlines', 'Text', { alias: 20 }),
        Blob: m(bytes([0, 1, 2, 255]), 'Bytes', { alias: 21 }),
        Small: m(200, 'UInt8', { alias: 22 }),
        Medium: m(60000, 'UInt16', { alias: 23 }),
        Nothing: m(null, 'Int32', { alias: 24 }),
      },
    },
  },
  {
    topic: 'spBv1.0/Plant1/DDATA/Edge1/Pump1',
    data: spb({
      timestamp: T0 + 2, seq: 2, metrics: [
        { alias: 10, type: 'Float', value: 1451.25 },
        { alias: 11, type: 'Boolean', value: false },
      ],
    }),
    expect: {
      message: 'DDATA', timestamp: T0 + 2, seq: 2, metrics: {
        Speed: m(1451.25, 'Float', { alias: 10 }),
        Running: m(false, 'Boolean', { alias: 11 }),
      },
    },
  },
  {
    topic: 'spBv1.0/Plant1/DDATA/Edge1/Pump1',
    data: spb({ timestamp: T0 + 3, seq: 4, metrics: [{ alias: 10, type: 'Float', value: 1452 }] }),
    expect: {
      $warnings: ['seq 4 after 2: expected 3 (1 missing)'],
      message: 'DDATA', timestamp: T0 + 3, seq: 4, metrics: { Speed: m(1452, 'Float', { alias: 10 }) },
    },
  },
  {
    topic: 'spBv1.0/Plant1/DDATA/Edge1/Pump1',
    data: spb({ timestamp: T0 + 4, seq: 5, metrics: [{ alias: 99, type: 'Int32', value: 7 }] }),
    expect: {
      $warnings: ['alias 99 is not in the last BIRTH'],
      message: 'DDATA', timestamp: T0 + 4, seq: 5, metrics: { 'alias 99': m(7, 'Int32', { alias: 99 }) },
    },
  },
  {
    // No datatype: it comes from the DBIRTH.
    topic: 'spBv1.0/Plant1/DDATA/Edge1/Pump1',
    data: spbRaw({ timestamp: T0 + 5, seq: 6, metrics: [{ alias: 12, longValue: 5 }, { alias: 13, intValue: 0xfffffffe }] }),
    expect: {
      message: 'DDATA', timestamp: T0 + 5, seq: 6, metrics: {
        Count: m(5, 'UInt32', { alias: 12 }), Offset: m(-2, 'Int8', { alias: 13 }),
      },
    },
  },
  {
    topic: 'spBv1.0/Plant1/NDATA/Edge1',
    data: spb({ timestamp: T0 + 6, seq: 7, metrics: [{ alias: 3, type: 'Double', value: 22.25 }] }),
    expect: {
      message: 'NDATA', timestamp: T0 + 6, seq: 7, metrics: { Temperature: m(22.25, 'Double', { alias: 3 }) },
    },
  },
  {
    topic: 'spBv1.0/Plant1/NCMD/Edge1',
    data: spb({ timestamp: T0 + 7, metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] }),
    expect: {
      message: 'NCMD', timestamp: T0 + 7, metrics: { 'Node Control/Rebirth': m(true, 'Boolean') },
    },
  },
  {
    // A device's death voids its birth: its aliases mean nothing until the next DBIRTH.
    topic: 'spBv1.0/Plant1/DDEATH/Edge1/Pump1',
    data: spb({ timestamp: T0 + 8, seq: 8 }),
    expect: { message: 'DDEATH', timestamp: T0 + 8, seq: 8, metrics: {} },
  },
  {
    topic: 'spBv1.0/Plant1/DDATA/Edge1/Pump1',
    data: spb({ timestamp: T0 + 9, seq: 9, metrics: [{ alias: 11, type: 'Boolean', value: true }] }),
    expect: {
      $warnings: ['DDATA before any DBIRTH of Plant1/Edge1/Pump1', 'alias 11: no BIRTH seen to name it'],
      message: 'DDATA', timestamp: T0 + 9, seq: 9, metrics: { 'alias 11': m(true, 'Boolean', { alias: 11 }) },
    },
  },
  {
    // After an NDEATH, DATA needs a new NBIRTH.
    topic: 'spBv1.0/Plant1/NDEATH/Edge1',
    data: spb({ timestamp: T0 + 10, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }] }),
    expect: { message: 'NDEATH', timestamp: T0 + 10, metrics: { bdSeq: m(0, 'UInt64') } },
  },
  {
    topic: 'spBv1.0/Plant1/DDATA/Edge1/Pump1',
    data: spb({ timestamp: T0 + 11, seq: 10, metrics: [{ alias: 10, type: 'Float', value: 1 }] }),
    expect: {
      $warnings: ['DDATA before any NBIRTH of Plant1/Edge1', 'alias 10: no BIRTH seen to name it'],
      message: 'DDATA', timestamp: T0 + 11, seq: 10, metrics: { 'alias 10': m(1, 'Float', { alias: 10 }) },
    },
  },
]);

// Seq wraps from 255 to 0 without a gap (the NBIRTH starts it at 254, which is itself noted).
scenario('seq-wrap', [
  {
    topic: 'spBv1.0/G/NBIRTH/N',
    data: spb({ timestamp: T0, seq: 254, metrics: [{ name: 'x', alias: 1, type: 'Int32', value: 1 }] }),
    expect: {
      $warnings: ['NBIRTH with seq 254 (must be 0)'],
      message: 'NBIRTH', timestamp: T0, seq: 254, metrics: { x: m(1, 'Int32', { alias: 1 }) },
    },
  },
  {
    topic: 'spBv1.0/G/NDATA/N',
    data: spb({ timestamp: T0, seq: 255, metrics: [{ alias: 1, type: 'Int32', value: 255 }] }),
    expect: { message: 'NDATA', timestamp: T0, seq: 255, metrics: { x: m(255, 'Int32', { alias: 1 }) } },
  },
  {
    topic: 'spBv1.0/G/NDATA/N',
    data: spb({ timestamp: T0, seq: 0, metrics: [{ alias: 1, type: 'Int32', value: 256 }] }),
    expect: { message: 'NDATA', timestamp: T0, seq: 0, metrics: { x: m(256, 'Int32', { alias: 1 }) } },
  },
]);

scenario('orphan', [
  {
    topic: 'spBv1.0/Plant2/DDATA/Edge9/Dev1',
    data: spb({ timestamp: T0, seq: 17, metrics: [{ alias: 3, type: 'Double', value: 1.25 }] }),
    expect: {
      $warnings: ['DDATA before any NBIRTH of Plant2/Edge9', 'alias 3: no BIRTH seen to name it'],
      message: 'DDATA', timestamp: T0, seq: 17, metrics: { 'alias 3': m(1.25, 'Double', { alias: 3 }) },
    },
  },
  {
    topic: 'spBv1.0/Plant2/NBIRTH/Edge9',
    data: spb({ timestamp: T0, seq: 0, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 1 }] }),
  },
  {
    topic: 'spBv1.0/Plant2/DDATA/Edge9/Dev1',
    data: spb({ timestamp: T0, seq: 1, metrics: [{ name: 'Level', type: 'Double', value: 2.5 }] }),
    expect: {
      $warnings: ['DDATA before any DBIRTH of Plant2/Edge9/Dev1'],
      message: 'DDATA', timestamp: T0, seq: 1, metrics: { Level: m(2.5, 'Double') },
    },
  },
]);

scenario('complex', [
  {
    topic: 'spBv1.0/Factory/NBIRTH/Line3',
    data: spb({
      timestamp: T0, seq: 0, uuid: 'a-uuid', body: Buffer.from('body bytes'), metrics: [
        {
          name: 'Recipe', alias: 1, type: 'DataSet', value: {
            numOfColumns: 3, columns: ['Step', 'Temp', 'Name'], types: ['Int32', 'Float', 'String'],
            rows: [[1, 180.5, 'heat'], [2, -20.25, 'cool']],
          },
        },
        {
          name: 'MotorType', type: 'Template', value: {
            version: '1.0', isDefinition: true,
            metrics: [{ name: 'RPM', type: 'Int32', value: 0 }, { name: 'On', type: 'Boolean', value: false }],
            parameters: [{ name: 'Vendor', type: 'String', value: 'ACME' }],
          },
        },
        {
          name: 'Motor1', alias: 2, type: 'Template', value: {
            templateRef: 'MotorType', isDefinition: false,
            metrics: [{ name: 'RPM', type: 'Int32', value: 1500 }, { name: 'On', type: 'Boolean', value: true }],
            parameters: [{ name: 'Vendor', type: 'String', value: 'ACME' }, { name: 'Poles', type: 'UInt32', value: 4 }],
          },
        },
        {
          name: 'Oven/Temp', alias: 3, type: 'Float', value: 180.5, isHistorical: true, isTransient: true,
          properties: {
            engUnit: { type: 'String', value: '\u00b0C' },
            max: { type: 'Double', value: 250.5 },
            missing: { type: 'Int32', value: null },
            limits: { type: 'PropertySet', value: { hi: { type: 'Float', value: 240 } } },
            alarms: { type: 'PropertySetList', value: [{ a: { type: 'Boolean', value: true } }] },
          },
        },
        {
          name: 'Manual', alias: 4, type: 'File', value: Buffer.from('%PDF'),
          metadata: { contentType: 'application/pdf', size: 4, fileName: 'manual.pdf', description: 'the manual' },
        },
      ],
    }),
    expect: {
      message: 'NBIRTH', timestamp: T0, seq: 0, uuid: 'a-uuid', metrics: {
        Recipe: m({
          num_of_columns: 3, columns: ['Step', 'Temp', 'Name'], types: ['Int32', 'Float', 'String'],
          rows: [[1, 180.5, 'heat'], [2, -20.25, 'cool']],
        }, 'DataSet', { alias: 1 }),
        MotorType: m({
          version: '1.0', is_definition: true,
          parameters: { Vendor: { value: 'ACME', type: 'String' } },
          metrics: { RPM: m(0, 'Int32'), On: m(false, 'Boolean') },
        }, 'Template'),
        Motor1: m({
          template_ref: 'MotorType', is_definition: false,
          parameters: { Vendor: { value: 'ACME', type: 'String' }, Poles: { value: 4, type: 'UInt32' } },
          metrics: { RPM: m(1500, 'Int32'), On: m(true, 'Boolean') },
        }, 'Template', { alias: 2 }),
        'Oven/Temp': m(180.5, 'Float', {
          alias: 3, is_historical: true, is_transient: true, properties: {
            engUnit: { value: '\u00b0C', type: 'String' },
            max: { value: 250.5, type: 'Double' },
            missing: { value: null, type: 'Int32' },
            limits: { value: { hi: { value: 240, type: 'Float' } }, type: 'PropertySet' },
            alarms: { value: [{ a: { value: true, type: 'Boolean' } }], type: 'PropertySetList' },
          },
        }),
        Manual: m(bytes(Buffer.from('%PDF')), 'File', {
          alias: 4, metadata: { size: 4, content_type: 'application/pdf', file_name: 'manual.pdf', description: 'the manual' },
        }),
      },
      body: bytes(Buffer.from('body bytes')),
    },
  },
]);

{
  // Array datatypes of Sparkplug 3.0, packed little-endian in bytes_value.
  const le = (w, vals, signed) => {
    const b = Buffer.alloc(w * vals.length);
    vals.forEach((v, i) => {
      if (w === 8) b[signed ? 'writeBigInt64LE' : 'writeBigUInt64LE'](BigInt(v), i * 8);
      else b[(signed ? 'writeIntLE' : 'writeUIntLE')](v, i * w, w);
    });
    return b;
  };
  const floats = Buffer.alloc(8);
  floats.writeFloatLE(1.5, 0);
  floats.writeFloatLE(-0.25, 4);
  const doubles = Buffer.alloc(16);
  doubles.writeDoubleLE(0.1, 0);
  doubles.writeDoubleLE(1e300, 8);
  const bools = Buffer.from([12, 0, 0, 0, 0x34, 0xd0]);
  const arrays = [
    ['I8', 22, le(1, [-1, 1, -128], true), [-1, 1, -128]],
    ['I16', 23, le(2, [-300, 300], true), [-300, 300]],
    ['I32', 24, le(4, [-70000, 70000], true), [-70000, 70000]],
    ['I64', 25, le(8, [-1n, 9007199254740993n], true), [-1, big('9007199254740993')]],
    ['U8', 26, le(1, [255, 0], false), [255, 0]],
    ['U16', 27, le(2, [65535], false), [65535]],
    ['U32', 28, le(4, [4294967295], false), [4294967295]],
    ['U64', 29, le(8, [18446744073709551615n], false), [big('18446744073709551615')]],
    ['F', 30, floats, [1.5, -0.25]],
    ['D', 31, doubles, [0.1, 1e300]],
    ['B', 32, bools, [false, false, true, true, false, true, false, false, true, true, false, true]],
    ['S', 33, Buffer.from('ab\0\0cd\0'), ['ab', '', 'cd']],
    ['T', 34, le(8, [T0], false), [T0]],
  ];
  const expect = {};
  arrays.forEach(([name, dt, , vals]) => {
    expect[name] = m(vals, [null, 'Int8Array', 'Int16Array', 'Int32Array', 'Int64Array', 'UInt8Array',
      'UInt16Array', 'UInt32Array', 'UInt64Array', 'FloatArray', 'DoubleArray', 'BooleanArray',
      'StringArray', 'DateTimeArray'][dt - 21]);
  });
  scenario('arrays', [{
    topic: 'spBv1.0/G/NCMD/N',
    data: spbRaw({ timestamp: T0, metrics: arrays.map(([name, dt, b]) => ({ name, datatype: dt, bytesValue: b })) }),
    expect: Object.assign({ message: 'NCMD', timestamp: T0 }, { metrics: expect }),
  }]);
}

scenario('state', [
  {
    topic: 'spBv1.0/STATE/scada1', text: '{"online":true,"timestamp":1700000000000}',
    expect: { message: 'STATE', host: 'scada1', online: true, timestamp: T0 },
  },
  { topic: 'STATE/scada2', text: 'OFFLINE', expect: { message: 'STATE', host: 'scada2', online: false } },
  { topic: 'spBv1.0/STATE/scada3', text: 'maybe', error: 'neither ONLINE/OFFLINE nor a JSON object' },
  { topic: 'spBv1.0/G/NDATA/N', data: Buffer.from([0x0a, 0x05, 0x01]), error: 'not a Sparkplug B payload' },
]);

fs.writeFileSync(path.join(here, 'cases.json'), json(cases) + '\n');

// ---- seeds for tests/fuzz/fuzz_decode.c: the first byte picks the decoder ----

const seeds = path.join(here, '..', 'fuzz', 'corpus', 'decode');
fs.rmSync(seeds, { recursive: true, force: true });
fs.mkdirSync(seeds, { recursive: true });
const vec = (rel) => fs.readFileSync(path.join(here, rel));
const seed = (name, mode, data) => fs.writeFileSync(path.join(seeds, name), Buffer.concat([Buffer.from([mode]), data]));
cases.cbor.forEach((c) => seed(`cbor-${c.name}`, 0, vec(c.file)));
cases.msgpack.forEach((c) => seed(`msgpack-${c.name}`, 1, vec(c.file)));
cases.protobuf.forEach((c) => seed(`protobuf-${c.name}`, 2, vec(c.file)));
{
  const desc = vec('protobuf/telemetry.desc');
  const lenBytes = Buffer.from([desc.length >> 8, desc.length & 255]);
  cases.protobuf_schema.forEach((c) => seed(`schema-${c.name}`, 3, Buffer.concat([lenBytes, desc, vec(c.file)])));
}
// 4 + 6 * 3: the payload as the node's and the device's BIRTH, then read as each message type.
cases.sparkplug.forEach((sc) => sc.steps.forEach((st, i) => {
  if (st.file.endsWith('.pb')) seed(`sparkplug-${sc.name}-${i + 1}`, 4 + 6 * 3, vec(st.file));
}));
seed('choice-cbor', 5, Buffer.concat([Buffer.from('application/cbor\0'), vec('cbor/sensor.cbor')]));
seed('choice-msgpack', 5, Buffer.concat([Buffer.from('application/x-msgpack; charset=x\0'), vec('msgpack/sensor.msgpack')]));
seed('choice-protobuf', 5, Buffer.concat([Buffer.from('application/x-protobuf; messageType="demo.Telemetry"\0'),
  vec('protobuf/raw-fields.pb')]));
seed('choice-state', 5, Buffer.from('\0{"online":true,"timestamp":1}'));
seed('choice-sparkplug', 5, Buffer.concat([Buffer.from([0]), vec('sparkplug/plant-2.pb')]));
const n = Object.values(cases).reduce((a, l) => a + l.length, 0);
console.log(`make.js: ${n} cases in ${path.relative(process.cwd(), path.join(here, 'cases.json'))}`);
