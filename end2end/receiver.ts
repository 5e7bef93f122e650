import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { expect } from '@playwright/test';

/** One request as the receiver saw it: which of the trusted secrets verified it, and its body. */
export interface Received {
  webhook_id: string;
  verified_by: number[];
  body: {
    type: string;
    timestamp: string;
    data: { region_id: string; key: { id: string; preview: string; description: string | null } | null };
  };
  received_at: number;
}

/**
 * `scripts/webhooks/receiver.py`: a real webhook receiver on a free loopback
 * port that verifies every request with the Standard Webhooks reference
 * library (PyPI `standardwebhooks`), not with Keyward's code. scripts/e2e.sh
 * installs it and names its Python in KEYWARD_WEBHOOK_PYTHON.
 */
export class Receiver {
  readonly received: Received[] = [];

  private constructor(
    private readonly process: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<Receiver> {
    const python = process.env.KEYWARD_WEBHOOK_PYTHON;
    const script = process.env.KEYWARD_WEBHOOK_RECEIVER ?? path.resolve('..', 'scripts', 'webhooks', 'receiver.py');
    if (!python) {
      throw new Error('KEYWARD_WEBHOOK_PYTHON must name a Python with standardwebhooks (scripts/e2e.sh sets it)');
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'keyward-receiver-'));
    const child = spawn(python, [script, path.join(dir, 'secrets'), path.join(dir, 'answer')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    let receiver: Receiver | undefined;
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the webhook receiver exited with ${code}`)));
      lines.on('line', (line) => {
        const listening = /^listening (\d+)$/.exec(line);
        if (listening) resolve(Number(listening[1]));
        else receiver?.received.push(JSON.parse(line));
      });
    });
    receiver = new Receiver(child, dir, port);
    return receiver;
  }

  /** Where Keyward should send events. */
  url(): string {
    return `http://127.0.0.1:${this.port}/keyward`;
  }

  /** The secrets that verify a request, by index. */
  trust(secrets: string[]) {
    writeFileSync(path.join(this.dir, 'secrets'), secrets.join('\n'));
  }

  /** The status it answers with from now on. */
  answer(status: number) {
    writeFileSync(path.join(this.dir, 'answer'), String(status));
  }

  /** Waits until `count` events of `type` arrived, and returns them. */
  async waitFor(type: string, count = 1): Promise<Received[]> {
    const of = () => this.received.filter((request) => request.body.type === type);
    await expect.poll(() => of().length, { message: `${count} ${type} event(s) at the receiver`, timeout: 20_000 }).toBeGreaterThanOrEqual(count);
    return of();
  }

  stop() {
    this.process.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
