/**
 * The long connection's frame (`pbbp2.Frame`, proto2) — encoded and decoded by hand so the emulator
 * and tests need no protobuf runtime of their own. Field numbers as in the SDK's bundled schema:
 * SeqID=1 LogID=2 service=3 method=4 headers=5 {key=1 value=2} payload_encoding=6 payload_type=7
 * payload=8 LogIDNew=9. Throws `RangeError` on a truncated or malformed buffer.
 */

/** One frame; `method` 0 = control (ping/pong), 1 = data (event, ack). */
export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: { key: string; value: string }[];
  payloadEncoding?: string;
  payloadType?: string;
  payload?: Uint8Array;
  LogIDNew?: string;
}

/** The value of header `key`, if present. */
export function header(frame: Frame, key: string): string | undefined {
  return frame.headers.find((h) => h.key === key)?.value;
}

/** Serialize a frame. */
export function encodeFrame(frame: Frame): Buffer {
  const out: Buffer[] = [];
  varintField(out, 1, frame.SeqID);
  varintField(out, 2, frame.LogID);
  varintField(out, 3, frame.service);
  varintField(out, 4, frame.method);
  for (const h of frame.headers) {
    const inner: Buffer[] = [];
    bytesField(inner, 1, Buffer.from(h.key));
    bytesField(inner, 2, Buffer.from(h.value));
    bytesField(out, 5, Buffer.concat(inner));
  }
  if (frame.payloadEncoding !== undefined) bytesField(out, 6, Buffer.from(frame.payloadEncoding));
  if (frame.payloadType !== undefined) bytesField(out, 7, Buffer.from(frame.payloadType));
  if (frame.payload !== undefined) bytesField(out, 8, Buffer.from(frame.payload));
  if (frame.LogIDNew !== undefined) bytesField(out, 9, Buffer.from(frame.LogIDNew));
  return Buffer.concat(out);
}

/** Parse a frame; unknown fields are skipped. */
export function decodeFrame(buf: Uint8Array): Frame {
  const r = new Reader(buf);
  const frame: Frame = { SeqID: 0, LogID: 0, service: 0, method: 0, headers: [] };
  while (!r.done()) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      const v = r.varint();
      if (field === 1) frame.SeqID = v;
      else if (field === 2) frame.LogID = v;
      else if (field === 3) frame.service = v;
      else if (field === 4) frame.method = v;
      continue;
    }
    if (wire !== 2) throw new RangeError(`frame: unsupported wire type ${wire}`);
    const bytes = r.bytes();
    if (field === 5) frame.headers.push(decodeHeader(bytes));
    else if (field === 6) frame.payloadEncoding = Buffer.from(bytes).toString();
    else if (field === 7) frame.payloadType = Buffer.from(bytes).toString();
    else if (field === 8) frame.payload = bytes;
    else if (field === 9) frame.LogIDNew = Buffer.from(bytes).toString();
  }
  return frame;
}

function decodeHeader(buf: Uint8Array): { key: string; value: string } {
  const r = new Reader(buf);
  const h = { key: '', value: '' };
  while (!r.done()) {
    const tag = r.varint();
    if ((tag & 7) !== 2) throw new RangeError('frame: malformed header');
    const s = Buffer.from(r.bytes()).toString();
    if (tag >> 3 === 1) h.key = s;
    else if (tag >> 3 === 2) h.value = s;
  }
  return h;
}

class Reader {
  #pos = 0;
  constructor(readonly buf: Uint8Array) {}
  done(): boolean {
    return this.#pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.#pos >= this.buf.length) throw new RangeError('frame: truncated varint');
      const b = this.buf[this.#pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new RangeError('frame: varint too long');
  }
  bytes(): Uint8Array {
    const len = this.varint();
    if (this.#pos + len > this.buf.length) throw new RangeError('frame: truncated field');
    const out = this.buf.subarray(this.#pos, this.#pos + len);
    this.#pos += len;
    return out;
  }
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = Math.max(0, Math.floor(n));
  while (v >= 0x80) {
    bytes.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function varintField(out: Buffer[], field: number, value: number): void {
  out.push(varint(field * 8), varint(value));
}

function bytesField(out: Buffer[], field: number, value: Buffer): void {
  out.push(varint(field * 8 + 2), varint(value.length), value);
}
