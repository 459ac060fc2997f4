// Reading a node's attributes by name, with errors that name the node.
import type { Node } from '../onnx';
import { int64 } from '../onnx/proto';

export class Attributes {
  constructor(private readonly node: Node) {}

  private find(name: string) {
    return this.node.attributes.find((a) => a.name === name);
  }

  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  int(name: string, fallback: number): number {
    const a = this.find(name);
    return a ? Number(int64(a.i)) : fallback;
  }

  float(name: string, fallback: number): number {
    const a = this.find(name);
    return a ? Number(a.f ?? 0) : fallback;
  }

  string(name: string, fallback: string): string {
    const a = this.find(name);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }

  ints(name: string): number[] | undefined {
    const a = this.find(name);
    return a ? (a.ints ?? []).map((v) => Number(int64(v))) : undefined;
  }

  floats(name: string): number[] | undefined {
    const a = this.find(name);
    return a ? [...(a.floats ?? [])] : undefined;
  }
}
