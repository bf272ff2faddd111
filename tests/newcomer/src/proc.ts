import fs from "node:fs";

/** One process as /proc shows it; `start` (clock ticks since boot) tells a pid apart from its reuse. */
export interface Proc {
  pid: number;
  ppid: number;
  start: string;
  command: string;
}

export function processTable(): Map<number, Proc> {
  const table = new Map<number, Proc>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid ..." where comm may hold spaces and parentheses: split after the last ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      table.set(Number(entry), {
        pid: Number(entry),
        ppid: Number(fields[1]),
        start: fields[19] ?? "",
        command,
      });
    } catch {
      // Gone between readdir and read.
    }
  }
  return table;
}

export function isRunning(proc: Proc): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${proc.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // A zombie has exited; only its parent's wait() is missing.
    return fields[19] === proc.start && fields[0] !== "Z";
  } catch {
    return false;
  }
}

/** TCP ports in LISTEN state, each with the socket inode that owns it. */
function listeningSockets(): Map<string, number> {
  const byInode = new Map<string, number>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] !== "0A") continue; // LISTEN
      const port = Number.parseInt(cols[1]?.split(":")[1] ?? "", 16);
      if (cols[9]) byInode.set(cols[9], port);
    }
  }
  return byInode;
}

/** The ports these processes listen on. */
export function listeningPortsOf(pids: number[]): number[] {
  const sockets = listeningSockets();
  const ports = new Set<number>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        const port = inode ? sockets.get(inode) : undefined;
        if (port !== undefined) ports.add(port);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return [...ports];
}

/** Which of these ports something (anything) still listens on. */
export function stillListening(ports: Iterable<number>): number[] {
  const open = new Set(listeningSockets().values());
  return [...ports].filter((port) => open.has(port));
}
