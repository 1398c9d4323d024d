// Types of shopper.js for bench/hot-path.ts (k6 runs the JavaScript as it is).

export declare function popularProduct(random?: () => number): string;

export declare function eventBodies(random?: () => number, count?: number): string[];

export declare class Shopper {
  constructor(visitor: string, options?: { random?: () => number; bodies?: readonly string[] });
  readonly visitor: string;
  nextId(): string;
  frame(size: number, now?: number): string;
  productView(id: string): string;
}
