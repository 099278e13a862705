/**
 * Live progress of `download-files` on stdout, in the shape of rclone's stats block that SM's command prints
 * (`pkg/rclone/progress.go`): bytes with speed and ETA, files, elapsed time. On a terminal the block is redrawn in
 * place every 500 ms; otherwise a block is printed every 5 s (logs stay readable). The last block stays, followed
 * by an empty line.
 * @module
 */
import { EtaTracker, formatEta } from "../../src/util/eta.ts";
import { formatGoDurationNs, formatSizeSuffix, msToNs } from "../offline/format.ts";
import type { DownloadProgress } from "./downloader.ts";

/** A progress printer; `update` takes the newest totals, `stop` prints the final block. */
export interface ProgressPrinter {
  update(progress: DownloadProgress): void;
  stop(): void;
}

/** Starts printing to `write`; `tty` selects in-place redraws. */
export function startProgress(write: (text: string) => void, tty: boolean): ProgressPrinter {
  const startedAt = performance.now();
  const eta = new EtaTracker();
  let latest: DownloadProgress = { totalBytes: 0, doneBytes: 0, totalFiles: 0, doneFiles: 0, skippedFiles: 0 };
  let lines = 0;
  const print = () => {
    const now = performance.now();
    const block = formatBlock(latest, now - startedAt, eta.update(latest.doneBytes, latest.totalBytes, now));
    let out = "";
    if (tty && lines > 0) out += `${"\x1b[2K\x1b[1A".repeat(lines - 1)}\x1b[2K\r`;
    out += tty ? block : `${block}\n`;
    lines = block.split("\n").length;
    write(out);
  };
  const timer = setInterval(print, tty ? 500 : 5000);
  timer.unref?.();
  return {
    update(progress) {
      latest = progress;
    },
    stop() {
      clearInterval(timer);
      print();
      write(tty ? "\n\n" : "\n");
    },
  };
}

/** One stats block (no trailing newline). */
export function formatBlock(p: DownloadProgress, elapsedMs: number, etaSeconds: number | undefined): string {
  const pct = (done: number, total: number) => (total > 0 ? Math.floor((done * 100) / total) : 0);
  const speed = elapsedMs > 0 ? (p.doneBytes * 1000) / elapsedMs : 0;
  return [
    `Transferred:   \t${formatSizeSuffix(p.doneBytes)} / ${formatSizeSuffix(p.totalBytes)}, ${pct(p.doneBytes, p.totalBytes)}%, ${formatSizeSuffix(Math.round(speed))}/s, ETA ${formatEta(etaSeconds)}`,
    `Transferred:   \t${p.doneFiles} / ${p.totalFiles}, ${pct(p.doneFiles, p.totalFiles)}%${p.skippedFiles > 0 ? ` (${p.skippedFiles} already in place)` : ""}`,
    `Elapsed time:  \t${formatGoDurationNs(msToNs(Math.round(elapsedMs / 100) * 100))}`,
  ].join("\n");
}
