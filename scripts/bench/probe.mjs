// Preloaded into every measured process (`node --import ./probe.mjs dist/cli.js …`). At exit it writes
// what the process itself used to the file named by LG_BENCH_PROBE:
//   rchar      bytes requested through read syscalls (/proc/self/io): what the program chose to read,
//              whether the page cache served it or the disk did. This is the "bytes read" figure.
//   readBytes  bytes the kernel fetched from storage for it (/proc/self/io read_bytes); near 0 when the
//              fixtures are still in the page cache, as they are right after being generated.
//   maxRssKiB  peak resident set: VmHWM from /proc/self/status. Not getrusage's ru_maxrss: Linux keeps
//              that high-water mark across exec, so a child of a big parent reports the parent's peak.
//   userUs, systemUs  CPU time.
// Why a preload and not a parent reading /proc/<pid>: a parent cannot read a child's /proc entries
// after the child has exited, and reading them just before exit would race. A preload sees the whole
// run (it is loaded before the CLI's own module) and costs one tiny module load, the same for the gate,
// the floor and bare `node -e 0`. Reading /proc/self/io happens after the figures are taken.
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.LG_BENCH_PROBE;

function procIo() {
  try {
    const fields = {};
    for (const line of readFileSync('/proc/self/io', 'latin1').split('\n')) {
      const [k, v] = line.split(': ');
      if (v !== undefined) fields[k] = Number(v);
    }
    return { rchar: fields.rchar ?? null, readBytes: fields.read_bytes ?? null };
  } catch {
    return { rchar: null, readBytes: null }; // not Linux: no /proc
  }
}

function peakRssKiB(fallback) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'latin1'));
    return m ? Number(m[1]) : fallback;
  } catch {
    return fallback; // not Linux
  }
}

if (out) {
  process.on('exit', (code) => {
    const ru = process.resourceUsage();
    const io = procIo();
    writeFileSync(
      out,
      JSON.stringify({
        ...io,
        maxRssKiB: peakRssKiB(ru.maxRSS),
        userUs: ru.userCPUTime,
        systemUs: ru.systemCPUTime,
        code,
      }),
    );
  });
}
