import net from "node:net";
import { describe, expect, it } from "vitest";
import { reservePort } from "./port-reservation.ts";
import { freePort, isPortFree } from "./ports.ts";

/** Sends `packets` one after another and collects everything the server says until it closes. */
function converse(port: number, packets: Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const received: Buffer[] = [];
    let next = 0;
    const send = () => {
      const packet = packets[next++];
      if (packet) socket.write(packet);
    };
    socket.on("connect", send);
    socket.on("data", (chunk) => {
      received.push(chunk);
      if (chunk.toString("latin1") === "N") send();
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(received)));
  });
}

function packet(code: number, body = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt32BE(code, 4);
  return Buffer.concat([header, body]);
}

const SSL_REQUEST = 80877103;
const PROTOCOL_3 = 196608;

describe("reservePort", () => {
  it("holds the port and refuses a client, even one asking for TLS first, with FATAL 57P03", async () => {
    const port = await freePort();
    const reservation = await reservePort(port, "suspended");
    expect(reservation).toBeDefined();
    expect(await isPortFree(port)).toBe(false);

    const startup = packet(PROTOCOL_3, Buffer.from("user\0postgres\0\0"));
    const answer = await converse(port, [packet(SSL_REQUEST), startup]);
    expect(answer.subarray(0, 1).toString("latin1")).toBe("N");
    expect(answer.subarray(1, 2).toString("latin1")).toBe("E");
    const fields = answer.subarray(6).toString("utf8");
    expect(fields).toContain("SFATAL\0");
    expect(fields).toContain("C57P03\0");
    expect(fields).toContain("Msuspended\0");

    await reservation!.close();
    expect(await isPortFree(port)).toBe(true);
  });

  it("gives nothing when something else already listens there", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as net.AddressInfo).port;
    expect(await reservePort(port, "x")).toBeUndefined();
    blocker.close();
  });
});
