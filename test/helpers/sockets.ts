/**
 * Which TCP ports a process listens on, read from /proc (Linux): the socket inodes among
 * /proc/<pid>/fd matched against the LISTEN (state 0A) rows of /proc/<pid>/net/tcp and tcp6.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ListeningSocket {
  family: 4 | 6;
  /** The bound address as /proc shows it (hex, kernel byte order). */
  addressHex: string;
  port: number;
  inode: string;
}

/** Socket inodes the process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed between readdir and readlink
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) inodes.add(m[1]!);
  }
  return inodes;
}

function listenRows(pid: number, family: 4 | 6): ListeningSocket[] {
  const rows: ListeningSocket[] = [];
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/net/tcp${family === 6 ? '6' : ''}`, 'utf8');
  } catch {
    return rows; // no IPv6 in this kernel
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A') continue;
    const [addressHex = '', portHex = '0'] = f[1]!.split(':');
    rows.push({ family, addressHex, port: parseInt(portHex, 16), inode: f[9]! });
  }
  return rows;
}

/** The TCP sockets `pid` listens on (empty: it accepts no inbound TCP at all). Linux only. */
export function listeningSockets(pid: number): ListeningSocket[] {
  const mine = socketInodes(pid);
  return [...listenRows(pid, 4), ...listenRows(pid, 6)].filter((row) => mine.has(row.inode));
}
